/** The stable JSON shapes that `--json` prints. Change them only additively. */
import { aggregateStatus, type StatusCount } from '../lifecycle.js';
import { OVERLAY_PORT } from '../firewall.js';
import type { Mcis, OverlaySpec, Vm } from '../model.js';
import { compareVmNames } from '../store/sqlite-store.js';

export interface VmView {
  name: string;
  subgroup: string;
  status: Vm['status'];
  publicIp: string | null;
  privateIp: string | null;
  /** The VM's address on the MCIS overlay, while it is on (`spec.network.overlay`). */
  overlayIp: string | null;
  sshPort: number;
  sshUser: string;
  connection: string;
  provider: string;
  region: string;
  zone: string | null;
  spec: string;
  image: string;
  providerId: string | null;
  nativeState: string | null;
  error: string | null;
}

export interface McisView {
  ns: string;
  name: string;
  status: string;
  /** 'Deleting' while a delete is unfinished (re-run `mcis delete` to finish it). */
  state: 'Active' | 'Deleting';
  statusCount: StatusCount;
  labels: Record<string, string>;
  subgroups: Array<{ name: string; connection: string; count: number; spec: string; image: string }>;
  /** The overlay network while it is on; with `topology: hub`, each connection's hub VM. */
  overlay: { cidr: string; port: number; topology: 'mesh' | 'hub'; hubs?: string[] } | null;
  vms: VmView[];
  createdAt: string;
  updatedAt: string;
}

export function vmView(vm: Vm): VmView {
  return {
    name: vm.name,
    subgroup: vm.subgroup,
    status: vm.status,
    publicIp: vm.publicIp ?? null,
    privateIp: vm.privateIp ?? null,
    overlayIp: vm.overlayIp ?? null,
    sshPort: vm.sshPort,
    sshUser: vm.sshUser,
    connection: vm.connection,
    provider: vm.provider,
    region: vm.region,
    zone: vm.zone ?? null,
    spec: vm.spec,
    image: vm.image,
    providerId: vm.providerId ?? null,
    nativeState: vm.nativeState ?? null,
    error: vm.error ?? null,
  };
}

export function mcisView(m: Mcis, vms: Vm[]): McisView {
  const requested = m.subgroups.reduce((n, s) => n + s.count, 0);
  const { status, statusCount } = aggregateStatus(vms.map((v) => v.status), requested);
  // Manifest order, then web-2 before web-10.
  const order = new Map(m.subgroups.map((s, i) => [s.name, i]));
  vms = [...vms].sort((a, b) => (order.get(a.subgroup) ?? 1e9) - (order.get(b.subgroup) ?? 1e9) || compareVmNames(a, b));
  return {
    ns: m.ns,
    name: m.name,
    status,
    state: m.deleting ? 'Deleting' : 'Active',
    statusCount,
    labels: m.labels,
    subgroups: m.subgroups.map((s) => ({ name: s.name, connection: s.connection, count: s.count, spec: s.spec, image: s.image })),
    overlay: m.overlay ? overlayView(m.overlay, vms) : null,
    vms: vms.map(vmView),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function overlayView(o: OverlaySpec, vms: readonly Vm[]): NonNullable<McisView['overlay']> {
  const topology = o.topology ?? 'mesh';
  const base = { cidr: o.cidr, port: o.port ?? OVERLAY_PORT, topology };
  return topology === 'hub' ? { ...base, hubs: vms.filter((v) => v.overlayHub).map((v) => v.name).sort() } : base;
}
