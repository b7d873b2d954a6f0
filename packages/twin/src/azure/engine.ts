/**
 * The Azure side of the twin: subscriptions and their resources, long-running operations, and the
 * bridge to the shared VM lifecycle (the same SSH backing as EC2 and GCE VMs).
 */
import { randomUUID } from 'node:crypto';
import { EngineBase, type EngineHooks } from '../engine-base.js';
import type { VmBacking } from '../vm/lifecycle.js';
import type { LoopbackIps } from '../vm/ips.js';
import { type AsyncOperation, type OperationKind, RESOURCE_MAPS, type SubscriptionData, type VirtualMachine } from './model.js';

/** What the engine needs of the VM lifecycle (VmLifecycle has it). */
export type AzureLifecycle = VmBacking;

export interface AzureEngineOptions extends EngineHooks<AzureLifecycle> {
  ips: LoopbackIps;
  bootDelayMs: number;
  /** Items per page of a list answer before a nextLink (ARM's own page sizes vary; default 100). */
  pageSize?: number;
}

export interface OperationStatus {
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  endTime?: number;
}

type MapEntries = [string, unknown][];

/** What state.json holds for Azure. */
export interface AzureSnapshot {
  seq: number;
  subscriptions: Record<string, Record<'groups' | (typeof RESOURCE_MAPS)[number], MapEntries>>;
  operations: [string, AsyncOperation][];
}

export class AzureEngine extends EngineBase<AzureLifecycle> {
  private readonly subs = new Map<string, SubscriptionData>();
  private readonly ops = new Map<string, AsyncOperation>();

  constructor(readonly o: AzureEngineOptions) {
    super(o);
  }

  get pageSize(): number {
    return this.o.pageSize ?? 100;
  }

  allocateIp(): string {
    return this.o.ips.allocateFree();
  }

  /** The subscription's data; every well-formed subscription id exists (the twin has no billing). */
  subscription(id: string): SubscriptionData {
    const key = id.toLowerCase();
    let s = this.subs.get(key);
    if (!s) {
      s = { id, groups: new Map(), vnets: new Map(), nsgs: new Map(), pips: new Map(), nics: new Map(), disks: new Map(), vms: new Map() };
      this.subs.set(key, s);
    }
    return s;
  }

  allSubscriptions(): SubscriptionData[] {
    return [...this.subs.values()];
  }

  allVms(): VirtualMachine[] {
    return this.allSubscriptions().flatMap((s) => [...s.vms.values()]);
  }

  /** Every VM with the private IP of its primary NIC, for the twin's admin API. */
  vmsWithPrivateIp(): Array<{ vm: VirtualMachine; privateIp?: string }> {
    this.settle();
    return this.allSubscriptions().flatMap((s) =>
      [...s.vms.values()].map((vm) => {
        const ref = vm.nics.find((n) => n.primary) ?? vm.nics[0];
        const nic = ref ? s.nics.get(ref.id.toLowerCase()) : undefined;
        const ip = (nic?.ipConfigurations.find((c) => c.primary) ?? nic?.ipConfigurations[0])?.privateIp;
        return { vm, ...(ip ? { privateIp: ip } : {}) };
      }),
    );
  }

  /** For the twin's status: VMs by ARM power state, and the subscriptions that hold anything. */
  vmCounts(): { vms: Record<string, number>; subscriptions: string[] } {
    this.settle();
    const vms: Record<string, number> = {};
    for (const vm of this.allVms()) {
      const key = vm.failed ? 'failed' : vm.deleting ? 'deleting' : vm.power.state === 'running' ? 'running' : vm.power.state === 'stopped' ? (vm.deallocated ? 'deallocated' : 'stopped') : 'transitioning';
      vms[key] = (vms[key] ?? 0) + 1;
    }
    return { vms, subscriptions: this.allSubscriptions().filter((s) => s.groups.size > 0).map((s) => s.id) };
  }

  startOperation(subscription: string, kind: OperationKind, target: string, extra: Partial<AsyncOperation> = {}): AsyncOperation {
    const op: AsyncOperation = { id: randomUUID(), subscription, kind, target: target.toLowerCase(), startTime: this.now(), ...extra };
    this.ops.set(op.id, op);
    this.changed();
    return op;
  }

  operation(id: string): AsyncOperation | undefined {
    return this.ops.get(id);
  }

  /** Where an operation stands, from the state of what it is about. Terminal answers stick. */
  operationStatus(op: AsyncOperation): OperationStatus {
    if (op.endStatus) return { status: op.endStatus, ...(op.error ? { error: op.error } : {}), ...(op.endTime ? { endTime: op.endTime } : {}) };
    this.settle();
    const s = this.subscription(op.subscription);
    const vm = s.vms.get(op.target);
    let status: OperationStatus['status'] = 'InProgress';
    let error = op.error;
    switch (op.kind) {
      case 'done':
        status = error ? 'Failed' : 'Succeeded';
        break;
      case 'vm-running':
        if (!vm) {
          status = 'Failed';
          error ??= { code: 'NotFound', message: 'The virtual machine was deleted while the operation ran.' };
        } else if (vm.failed) {
          status = 'Failed';
          error = vm.failed;
        } else if (vm.power.state === 'running') status = 'Succeeded';
        else if (vm.power.state === 'terminated') {
          status = 'Failed';
          error = { code: 'InternalOperationError', message: 'The virtual machine could not be started.' };
        }
        break;
      case 'vm-stopped':
        if (!vm || vm.power.state === 'stopped' || vm.power.state === 'terminated') status = 'Succeeded';
        break;
      case 'vm-restart':
        if (!vm) status = 'Failed';
        else if (vm.power.state === 'running' && this.now() >= (op.dueAt ?? 0)) status = 'Succeeded';
        break;
      case 'vm-deleted':
        if (!vm) status = 'Succeeded';
        break;
      case 'rg-deleted':
        if (!s.groups.has(op.target)) status = 'Succeeded';
        break;
    }
    if (status !== 'InProgress') {
      op.endStatus = status;
      op.endTime = this.now();
      if (error) op.error = error;
      this.changed();
    }
    return { status, ...(error && status === 'Failed' ? { error } : {}), ...(op.endTime ? { endTime: op.endTime } : {}) };
  }

  /**
   * Finishes what the lifecycle finished: a deleted VM that has shut down goes, with the disks and
   * NICs it was told to delete; a resource group being deleted goes once its VMs are gone.
   */
  settle(): void {
    let changed = false;
    for (const s of this.subs.values()) {
      for (const [key, vm] of s.vms) {
        if (!vm.deleting || (vm.power.state !== 'terminated' && !vm.failed)) continue;
        s.vms.delete(key);
        changed = true;
        const diskKey = vm.osDisk.id.toLowerCase();
        const disk = s.disks.get(diskKey);
        if (disk) {
          if (vm.osDisk.deleteOption === 'Delete') s.disks.delete(diskKey);
          else delete disk.managedBy;
        }
        for (const ref of vm.nics) {
          const nic = s.nics.get(ref.id.toLowerCase());
          if (!nic) continue;
          if (ref.deleteOption === 'Delete') s.nics.delete(ref.id.toLowerCase());
          else delete nic.vmId;
        }
      }
      for (const [gkey, g] of s.groups) {
        if (!g.deleting) continue;
        const inGroup = (r: { resourceGroup: string }) => r.resourceGroup.toLowerCase() === gkey;
        if ([...s.vms.values()].some(inGroup)) continue;
        for (const m of RESOURCE_MAPS) {
          const map = s[m] as Map<string, { resourceGroup: string }>;
          for (const [k, r] of map) if (inGroup(r)) map.delete(k);
        }
        s.groups.delete(gkey);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  snapshot(): AzureSnapshot {
    const subscriptions: AzureSnapshot['subscriptions'] = {};
    for (const s of this.subs.values()) {
      const entry = { groups: [...s.groups.entries()] } as AzureSnapshot['subscriptions'][string];
      for (const m of RESOURCE_MAPS) entry[m] = [...(s[m] as Map<string, unknown>).entries()];
      subscriptions[s.id] = entry;
    }
    return { seq: this.seq, subscriptions, operations: [...this.ops.entries()] };
  }

  /** Loads a snapshot and hands the VMs back to the lifecycle (SSH servers come up again). */
  restore(snap: AzureSnapshot): void {
    this.seq = snap.seq;
    for (const [id, entry] of Object.entries(snap.subscriptions)) {
      const s = this.subscription(id);
      s.groups = new Map(entry.groups as [string, SubscriptionData['groups'] extends Map<string, infer V> ? V : never][]);
      for (const m of RESOURCE_MAPS) (s[m] as Map<string, unknown>) = new Map(entry[m]);
    }
    for (const [id, op] of snap.operations) this.ops.set(id, op);
    const vms = this.allVms().filter((v) => !v.failed);
    this.lifecycle.resume({ instances: new Map(vms.map((v) => [v.power.id, v.power])) });
  }
}
