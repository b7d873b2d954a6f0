/**
 * The MCIS load balancers at run time: after every create, apply and scale, each balancer VM gets
 * the HAProxy configuration for the target VMs as they are now (installed or reloaded by one
 * idempotent script over the VM's exec transport); `nlb get` reads each backend's health from
 * HAProxy's stats socket the same way.
 */
import { NotFoundError } from '../errors.js';
import type { VmAction } from '../driver/port.js';
import type { EventSink } from '../events.js';
import type { LoadBalancerSpec, Mcis, Vm } from '../model.js';
import { haproxyConfig, installScript, parseShowStat, ROOT_LAUNCHER, statsScript, type BackendHealth, type NlbServer } from '../nlb/haproxy.js';
import { balancerSubgroup, targetAddress, targetSubgroups, withBalancers } from '../nlb/spec.js';
import { nowIso } from '../domain.js';
import type { CreateOptions } from './create.js';
import type { OrchestratorDeps } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** A load balancer as `nlb list` and `nlb get` show it. */
export interface NlbView {
  name: string;
  port: number;
  targetPort: number;
  algorithm: string;
  targets: string[];
  /** The balancer VM, its status and the address clients use. */
  vm?: string;
  status?: Vm['status'];
  publicIp?: string;
  /** The servers the configuration holds now (target VMs that are Running with an address). */
  servers: NlbServer[];
  /** `nlb get` only: each server's health from the stats socket. */
  backends?: BackendHealth[];
}

/** The target VMs that are up, with the address the balancer reaches them at. */
export function serversOf(lb: LoadBalancerSpec, vms: Vm[]): NlbServer[] {
  const subgroups = new Set(targetSubgroups(lb));
  return vms.flatMap((v) => {
    const address = targetAddress(v);
    return subgroups.has(v.subgroup) && v.status === 'Running' && address ? [{ name: v.name, address }] : [];
  });
}

const balancerVm = (lb: string, vms: Vm[]) => vms.find((v) => v.subgroup === balancerSubgroup(lb) && v.status !== 'Terminated');

export function nlbViews(rec: Mcis, vms: Vm[]): NlbView[] {
  return (rec.loadBalancers ?? []).map((lb) => {
    const vm = balancerVm(lb.name, vms);
    return {
      name: lb.name,
      port: lb.port,
      targetPort: lb.targetPort,
      algorithm: lb.algorithm ?? 'roundrobin',
      targets: lb.targets,
      ...(vm ? { vm: vm.name, status: vm.status, ...(vm.publicIp ? { publicIp: vm.publicIp } : {}) } : {}),
      servers: serversOf(lb, vms),
    };
  });
}

export interface SyncBalancersOptions {
  signal?: AbortSignal | undefined;
  /** After a suspend: a balancer VM that is itself suspended is not a failure. */
  suspendedOk?: boolean;
  /** VMs about to stop: drained first, so no request is cut off when they go. */
  leaving?: ReadonlySet<string>;
}

/** Writes each balancer's configuration and starts or reloads HAProxy; returns the balancers that failed. */
export async function syncBalancers(deps: OrchestratorDeps, ns: string, name: string, events: EventSink, opts: SyncBalancersOptions = {}): Promise<Array<{ vm: string; error: string }>> {
  const { signal, suspendedOk = false, leaving } = opts;
  const rec = deps.store.getMcis(ns, name);
  if (!rec?.loadBalancers?.length) return [];
  const vms = deps.store.listVms(ns, name);
  const transports = transportsOf(deps);
  const failed: Array<{ vm: string; error: string }> = [];
  await Promise.all(
    rec.loadBalancers.map(async (lb) => {
      const vm = balancerVm(lb.name, vms);
      if (suspendedOk && (vm?.status === 'Suspended' || vm?.status === 'Suspending')) return;
      if (!vm || vm.status !== 'Running' || !transports.reachable(vm)) {
        failed.push({ vm: `nlb@${lb.name}`, error: `the balancer VM ${vm ? `${vm.name} is ${vm.status}` : 'does not exist'}: run cbadm apply again once it runs` });
        return;
      }
      if (leaving?.has(vm.name)) return;
      // HAProxy's reload (-sf) lets the old process finish the connections it holds: a drained
      // server serves what it was given, and nothing new, before its VM stops.
      const servers = serversOf(lb, vms).filter((s) => !leaving?.has(s.name));
      const drained = serversOf(lb, vms).filter((s) => leaving?.has(s.name)).map((s) => s.name);
      try {
        const r = await transports.exec(execTargetOf(deps, vm), ROOT_LAUNCHER, { stdin: installScript(lb.name, haproxyConfig(lb, servers)), timeoutMs: INSTALL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
        if (r.exitCode !== 0) throw new Error(`the HAProxy setup exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        events({ type: 'phase', mcis: name, phase: 'nlb', message: `${lb.name}: HAProxy ${r.stdout.trim() || 'configured'} on ${vm.name} with ${servers.length} target(s)${drained.length ? ` (draining ${drained.join(', ')})` : ''}` });
      } catch (e) {
        const error = (e as Error).message;
        failed.push({ vm: `nlb@${lb.name}`, error });
        events({ type: 'warning', message: `load balancer ${lb.name}: ${error}` });
      }
    }),
  );
  return failed;
}

/** Actions that stop a VM: its balancers drain it first. */
const STOPPING: ReadonlySet<VmAction> = new Set(['suspend', 'reboot', 'terminate']);

/**
 * Before `action` stops `vms`: the Running ones leave every balancer's configuration, so no request
 * is cut off when they go (a failure here only warns: the health checks still take them out).
 */
export async function drainBalancers(deps: OrchestratorDeps, ns: string, name: string, action: VmAction, vms: Vm[], events: EventSink, signal?: AbortSignal): Promise<void> {
  const leaving = vms.filter((v) => v.status === 'Running').map((v) => v.name);
  if (STOPPING.has(action) && leaving.length) await syncBalancers(deps, ns, name, events, { signal, leaving: new Set(leaving) });
}

/** One balancer with each backend's health, read from HAProxy's stats socket on its VM. */
export async function nlbHealth(deps: OrchestratorDeps, rec: Mcis, vms: Vm[], lbName: string): Promise<NlbView> {
  const view = nlbViews(rec, vms).find((v) => v.name === lbName);
  if (!view) {
    const names = (rec.loadBalancers ?? []).map((l) => l.name);
    throw new NotFoundError(`load balancer of MCIS '${rec.name}'`, lbName, { hint: names.length ? `its load balancers: ${names.join(', ')}` : 'add one under spec.loadBalancers and run cbadm apply' });
  }
  const vm = balancerVm(lbName, vms);
  const transports = transportsOf(deps);
  if (!vm || vm.status !== 'Running' || !transports.reachable(vm)) return { ...view, backends: [] };
  const r = await transports.exec(execTargetOf(deps, vm), ROOT_LAUNCHER, { stdin: statsScript(lbName), timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`reading HAProxy's stats on ${vm.name} failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim()}`);
  return { ...view, backends: parseShowStat(r.stdout, lbName) };
}

/** The manifest with its load balancers as the subgroups and rules they stand for (nlb/spec.ts). */
export function withLoadBalancers<O extends CreateOptions>(opts: O): O {
  return opts.manifest.spec.loadBalancers?.length ? { ...opts, manifest: withBalancers(opts.manifest) } : opts;
}

/** An apply with no VM to change may still change a balancer's settings: record them and reconfigure. */
export async function reconfigureBalancers(deps: OrchestratorDeps, ns: string, name: string, lbs: LoadBalancerSpec[] | undefined, events: EventSink, signal?: AbortSignal): Promise<Array<{ vm: string; error: string }>> {
  const rec = deps.store.getMcis(ns, name);
  if (!rec || JSON.stringify(lbs ?? []) === JSON.stringify(rec.loadBalancers ?? [])) return [];
  deps.store.updateMcis(ns, name, (m) => ({ ...m, loadBalancers: lbs?.length ? lbs : undefined, updatedAt: nowIso() }));
  return syncBalancers(deps, ns, name, events, { signal });
}
