/**
 * Cloud-Twin VMs as machines: each running VM gets its own network namespace on its VPC's bridge,
 * its public IP routed from the host, its own mount/UTS/IPC/PID namespaces and an nftables firewall
 * programmed from its cloud's rules (see network.ts, machine.ts, helper.py.ts, firewall.ts). Needs
 * root and iproute2, nftables, util-linux (nsenter) and python3 (the namespace helper) on the host;
 * where that is missing the twin runs VMs on the host as before and says why (`IsolationStatus`).
 */
import type { Server, Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { renderRuleset } from './firewall.js';
import { listProcesses } from '../../ssh/proc.js';
import { NsHelper } from './helper.js';
import { Machine } from './machine.js';
import { loadOrCreatePrefix, namesFor, orphanedPrefixes, register, unregister, type IsolationNames } from './names.js';
import { Fabric } from './network.js';
import type { PolicySource, VmNetPolicy } from './policy.js';
import { run, runSync, tool } from './sh.js';

export type IsolationMode = 'auto' | 'on' | 'off';
export interface IsolationStatus {
  on: boolean;
  /** Why it is off. */
  reason?: string;
}

/** Start time of the VMs booted so far and memory of those running now. */
export interface IsolationCost {
  vmsStarted: number;
  medianStartMs?: number;
  vmsRunning: number;
  /**
   * Resident memory of every process of the running VMs (their PID 1 and what runs in them), per
   * VM, with the twin's one namespace helper shared out over them.
   */
  rssKbPerVm?: number;
}

export interface IsolationOptions {
  stateDir: string;
  mode: IsolationMode;
  sshPort: number;
  policy: PolicySource;
  log: (message: string) => void;
}

/** What the lifecycle tells about a VM it starts. */
export interface VmMachineSpec {
  id: string;
  /** Its disk; the user's home directory is `home` in it. */
  diskDir: string;
  user: string;
  /** Host paths the VM must still see where they are. */
  keep: string[];
  /** A port on the VM's loopback that leads to the twin's API (the node runtime's shims call it). */
  twinApi?: { port: number; accept(socket: Socket): void };
}

interface IsolatedVm {
  ns: string;
  link: number;
  machine?: Machine;
  /** Its PID 1 while the helper makes it: a stop waits for it, to halt it. */
  booting?: Promise<Machine>;
  publicIp?: string;
  /** Its namespace and first firewall are in place: later policy changes may rewrite it. */
  ready?: boolean;
  /** Sockets inside the VM the twin serves (its API for the node runtime, API servers). */
  listeners: Server[];
  /** The ruleset last written, so an unchanged policy is not written again. */
  applied?: string;
}

const TABLE = 'cloudtwin';
const TOOLS: Array<[string, string]> = [
  ['ip', 'iproute2'],
  ['nft', 'nftables'],
  ['nsenter', 'util-linux'],
  ['python3', 'python3'],
];

/** Why isolation cannot work here, or undefined when it can. */
function missing(): string | undefined {
  if (process.platform !== 'linux') return `namespaces are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: network namespaces need root';
  const absent = TOOLS.find(([name]) => !tool(name));
  return absent ? `${absent[0]} is not installed (apt-get install -y ${absent[1]})` : undefined;
}

/** Removes every namespace and link named with `prefix` (a crashed twin's), killing their processes. */
export async function removeLeftovers(prefix: string): Promise<void> {
  const list = await run(['ip', 'netns', 'list']).catch(() => '');
  for (const ns of list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${prefix}-`))) {
    const pids = await run(['ip', 'netns', 'pids', ns]).catch(() => '');
    for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await run(['ip', 'netns', 'del', ns]).catch(() => undefined);
  }
  const links = await run(['ip', '-o', 'link', 'show']).catch(() => '');
  for (const m of links.matchAll(/^\d+: ([^:@\s]+)/gm)) {
    const name = m[1] ?? '';
    if (name.startsWith(prefix)) await run(['ip', 'link', 'del', name]).catch(() => undefined);
  }
}

/** What `removeLeftovers` would find: for tests and `twin status`. */
export function leftovers(prefix: string): string[] {
  const ns = runSync(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '');
  const links = [...runSync(['ip', '-o', 'link', 'show']).matchAll(/^\d+: ([^:@\s]+)/gm)].map((m) => m[1] ?? '');
  return [...ns, ...links].filter((n) => n.startsWith(prefix));
}

export class Isolation {
  private readonly vms = new Map<string, IsolatedVm>();
  private syncing: Promise<void> | undefined;
  private again = false;
  /** How long each VM's namespaces, firewall and PID 1 took to make (the last 1000). */
  private readonly startMs: number[] = [];
  private started = 0;

  private constructor(
    private readonly o: IsolationOptions,
    readonly names: IsolationNames,
    private readonly fabric: Fabric,
    private readonly helper: NsHelper,
  ) {}

  /** Isolation for this twin, or why there is none; mode `on` throws instead of running without. */
  static async start(o: IsolationOptions): Promise<{ isolation?: Isolation; status: IsolationStatus }> {
    const off = (reason: string) => {
      if (o.mode === 'on') throw new Error(`isolation is on but cannot work: ${reason}`);
      return { status: { on: false, reason } };
    };
    if (o.mode === 'off') return { status: { on: false, reason: 'turned off' } };
    const why = missing();
    if (why) return off(why);
    const names = namesFor(loadOrCreatePrefix(o.stateDir));
    let helper: NsHelper | undefined;
    try {
      for (const orphan of orphanedPrefixes()) {
        await removeLeftovers(orphan);
        unregister(orphan);
      }
      await removeLeftovers(names.prefix);
      register(names.prefix, resolvePath(o.stateDir));
      helper = await NsHelper.start(tool('python3') ?? 'python3');
      const fabric = new Fabric(names, helper);
      await fabric.create();
      return { isolation: new Isolation(o, names, fabric, helper), status: { on: true } };
    } catch (e) {
      helper?.close();
      await removeLeftovers(names.prefix).catch(() => undefined);
      return off(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * The VM's PID 1 with its namespaces, first firewall and private link, made in one request to
   * the helper (its network's bridge first); nothing listens in it before they are in place.
   */
  async startVm(vm: VmMachineSpec): Promise<void> {
    await this.stopVm(vm.id);
    const t0 = performance.now();
    const policy = this.o.policy(vm.id) ?? { network: 'none', hostname: vm.id, layers: [] };
    const entry: IsolatedVm = { ns: this.names.vmNs(vm.id), link: this.fabric.linkNumber(), listeners: [] };
    this.vms.set(vm.id, entry);
    const rules = this.ruleset(policy);
    entry.booting = (async () => {
      const priv = policy.privateIp ? await this.fabric.privateLink(entry.link, policy.network, policy.privateIp, policy.prefixLength) : undefined;
      return Machine.boot(this.helper, { netns: entry.ns, diskDir: vm.diskDir, user: vm.user, hostname: policy.hostname, keep: vm.keep, rules, ...(priv ? { private: priv } : {}) });
    })();
    try {
      entry.machine = await entry.booting;
      if (this.vms.get(vm.id) !== entry) throw new Error(`${vm.id} was stopped while it booted`);
      entry.applied = rules;
      entry.ready = true;
      // Rules changed while the namespace was being made (a group authorized right after launch).
      this.policyChanged();
      const api = vm.twinApi;
      if (api) (await this.listen(vm.id, '127.0.0.1', api.port))?.on('connection', (s: Socket) => api.accept(s));
    } catch (e) {
      // Stopped meanwhile, stopVm halted it already.
      if (this.vms.get(vm.id) === entry) await this.stopVm(vm.id);
      throw e;
    }
    this.started++;
    this.startMs.push(performance.now() - t0);
    if (this.startMs.length > 1000) this.startMs.shift();
  }

  /** Start time and memory per VM, for `twin status` and the benchmark. */
  cost(): IsolationCost {
    const sorted = [...this.startMs].sort((a, b) => a - b);
    const machines = [...this.vms.values()].flatMap((e) => (e.machine ? [e.machine] : []));
    const procs = machines.length ? (listProcesses() ?? []) : [];
    const rss = machines.reduce((sum, m) => sum + m.rssKb(procs), machines.length ? this.helper.rssKb() : 0);
    return {
      vmsStarted: this.started,
      ...(sorted.length ? { medianStartMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0) } : {}),
      vmsRunning: machines.length,
      ...(machines.length ? { rssKbPerVm: Math.round(rss / machines.length) } : {}),
    };
  }

  /** A socket listening inside the VM's network (closed when the VM stops); undefined for no such VM. */
  async listen(id: string, host: string, port: number): Promise<Server | undefined> {
    const entry = this.vms.get(id);
    if (!entry) return undefined;
    const server = await this.helper.listen(entry.ns, host, port);
    entry.listeners.push(server);
    return server;
  }

  /** Routes the VM's public IP from the host; throws an EADDRINUSE error when the address is taken. */
  async publish(id: string, publicIp: string): Promise<void> {
    const entry = this.vms.get(id);
    if (!entry) throw new Error(`${id}: no isolated VM`);
    if (entry.publicIp === publicIp) return;
    if (entry.publicIp) await this.unpublish(id);
    await this.fabric.publish(entry.ns, entry.link, publicIp);
    entry.publicIp = publicIp;
  }

  async unpublish(id: string): Promise<void> {
    const entry = this.vms.get(id);
    if (!entry?.publicIp) return;
    delete entry.publicIp;
    await this.fabric.unpublish(entry.link);
  }

  /** The VM's SSH listener: port 22 on all its addresses, inside its namespace. */
  async sshListener(id: string): Promise<Server> {
    const entry = this.vms.get(id);
    if (!entry) throw new Error(`${id}: no isolated VM`);
    return this.helper.listen(entry.ns, '0.0.0.0', 22);
  }

  machine(id: string): Machine | undefined {
    return this.vms.get(id)?.machine;
  }

  /** The VM's file system as the twin sees it. */
  rootOf(id: string): string | undefined {
    const pid = this.vms.get(id)?.machine?.pid;
    return pid === undefined ? undefined : `/proc/${pid}/root`;
  }

  /**
   * Kills the VM's processes and removes its namespace (its disk stays): its links, routes and
   * firewall go with it. A PID 1 still booting is halted once it is up.
   */
  async stopVm(id: string): Promise<void> {
    const entry = this.vms.get(id);
    if (!entry) return;
    this.vms.delete(id);
    for (const s of entry.listeners) s.close();
    const machine = entry.machine ?? (await entry.booting?.catch(() => undefined));
    await machine?.halt();
  }

  /** Some cloud resource changed: rewrite the firewalls whose rules changed (coalesced). */
  policyChanged(): void {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        for (const [id, entry] of [...this.vms]) {
          if (!entry.ready) continue;
          const policy = this.o.policy(id);
          if (policy) await this.applyFirewall(entry, policy).catch((e: unknown) => this.o.log(`${id}: firewall: ${String(e)}`));
        }
      } while (this.again);
    })().finally(() => (this.syncing = undefined));
  }

  /** Resolves once the firewalls reflect every change so far. */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  private ruleset(policy: VmNetPolicy): string {
    return renderRuleset(TABLE, policy.layers, this.o.sshPort, policy.egress);
  }

  /** Rewrites the VM's firewall (its PID 1 loaded the first one) when its rules changed. */
  private async applyFirewall(entry: IsolatedVm, policy: VmNetPolicy): Promise<void> {
    const text = this.ruleset(policy);
    if (text === entry.applied) return;
    await this.helper.nft(entry.ns, `delete table inet ${TABLE}\n${text}`);
    entry.applied = text;
  }

  /** Stops every VM and removes everything this twin made on the host. */
  async close(): Promise<void> {
    await this.settled();
    await Promise.allSettled([...this.vms.keys()].map((id) => this.stopVm(id)));
    this.helper.close();
    await removeLeftovers(this.names.prefix);
    unregister(this.names.prefix);
  }
}
