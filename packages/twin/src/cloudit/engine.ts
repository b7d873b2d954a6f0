/**
 * The Cloudit engine: one tenant's resources (./model.ts) and the bridge to the shared VM
 * lifecycle. A server has no public address until an adaptive IP maps one of the tenant's free
 * public IPs to its private IP: its SSH server then answers there, as on a real Cloudit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { intToIp, ipToInt } from '../ec2/cidr.js';
import { EngineBase, type EngineHooks } from '../engine-base.js';
import type { LoopbackIps } from '../vm/ips.js';
import type { AddressBacking, VmBacking } from '../vm/lifecycle.js';
import { CLOUDIT_CLUSTERS, findCluster } from './catalog.js';
import { ClouditError } from './errors.js';
import { type Server, type Subnet, TENANT_MAPS, type Tenant } from './model.js';

export type ClouditLifecycle = VmBacking & AddressBacking;

export interface ClouditEngineOptions extends EngineHooks<ClouditLifecycle> {
  ips: LoopbackIps;
  bootDelayMs: number;
}

type Entries = [string, unknown][];

export interface ClouditSnapshot {
  seq: number;
  tenant: Record<(typeof TENANT_MAPS)[number], Entries> & { freeIps: string[] };
}

/** How many public IPs the tenant always has free to map. */
const FREE_POOL = 4;

export class ClouditEngine extends EngineBase<ClouditLifecycle> {
  tenant: Tenant = { subnets: new Map(), securityGroups: new Map(), servers: new Map(), adaptiveIps: new Map(), freeIps: [] };

  constructor(readonly o: ClouditEngineOptions) {
    super(o);
  }

  get bootDelayMs(): number {
    return this.o.bootDelayMs;
  }

  /** Cloudit's timestamps: `2024-03-04 09:00:00`. */
  stamp(): { id: string; createdAt: string } {
    this.nextSeq();
    return { id: randomUUID(), createdAt: new Date(this.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') };
  }

  /** The public IPs the tenant may map now (see topUpFreeIps). */
  freeIps(): string[] {
    return this.tenant.freeIps;
  }

  /**
   * Keeps FREE_POOL public IPs free, from the twin's loopback pool. An adaptive IP's address is fixed
   * once mapped and the server's SSH must answer on it, so only addresses this host lets a server
   * bind are offered (some sandboxes refuse parts of 127/8).
   */
  async topUpFreeIps(): Promise<void> {
    while (this.tenant.freeIps.length < FREE_POOL) {
      const ip = this.o.ips.allocateFree();
      if (await bindable(ip)) this.tenant.freeIps.push(ip);
    }
  }

  /** The next address of a subnet (.1 is the gateway). */
  allocatePrivateIp(subnet: Subnet): string {
    const size = 2 ** (32 - Number(subnet.prefix));
    const n = subnet.used + 2;
    if (n >= size - 1) throw new ClouditError(409, 'IP_EXHAUSTED', `subnet ${subnet.addr}/${subnet.prefix} has no free address`);
    subnet.used++;
    return intToIp(ipToInt(subnet.addr)! + n);
  }

  mac(): string {
    return `52:54:00:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`;
  }

  /** The cluster a server runs in (its zone), by name. */
  clusterOf(s: Server): string {
    return findCluster(s.clusterId)?.name ?? CLOUDIT_CLUSTERS[0]!.name;
  }

  /** The server's SSH follows its adaptive IP: up on it once mapped, gone once released. */
  addressChanged(s: Server): void {
    if (s.deleting) return;
    const ip = [...this.tenant.adaptiveIps.values()].find((a) => a.privateIp === s.privateIp)?.ip;
    if (ip === s.vm.publicIp) return;
    if (ip) {
      s.vm.publicIp = ip;
      s.vm.assignPublicIp = true;
      s.vm.fixedAddress = true;
      this.lifecycle.attachAddress(s.vm);
    } else {
      s.vm.assignPublicIp = false;
      s.vm.fixedAddress = false;
      this.lifecycle.detachAddress(s.vm);
    }
  }

  /** Servers whose deletion the lifecycle has finished leave the listing. */
  settle(): void {
    let changed = false;
    for (const [id, s] of this.tenant.servers) {
      if (s.vm.state === 'running' && !s.built) {
        s.built = true;
        changed = true;
      }
      if (!s.deleting || (s.vm.state !== 'terminated' && !s.failed)) continue;
      this.tenant.servers.delete(id);
      changed = true;
    }
    if (changed) this.changed();
  }

  /** Servers by the lifecycle's state, for the twin's status. */
  serverCounts(): Record<string, number> {
    this.settle();
    const out: Record<string, number> = {};
    for (const s of this.tenant.servers.values()) out[s.vm.state] = (out[s.vm.state] ?? 0) + 1;
    return out;
  }

  snapshot(): ClouditSnapshot {
    const t = this.tenant;
    return {
      seq: this.seq,
      tenant: {
        subnets: [...t.subnets.entries()],
        securityGroups: [...t.securityGroups.entries()],
        servers: [...t.servers.entries()],
        adaptiveIps: [...t.adaptiveIps.entries()],
        freeIps: [...t.freeIps],
      },
    };
  }

  restore(snap: ClouditSnapshot): void {
    this.seq = snap.seq;
    const s = snap.tenant;
    this.tenant = {
      subnets: new Map(s.subnets) as Tenant['subnets'],
      securityGroups: new Map(s.securityGroups) as Tenant['securityGroups'],
      servers: new Map(s.servers) as Tenant['servers'],
      adaptiveIps: new Map(s.adaptiveIps) as Tenant['adaptiveIps'],
      freeIps: [...s.freeIps],
    };
    const vms = [...this.tenant.servers.values()].filter((x) => !x.failed).map((x) => x.vm);
    this.lifecycle.resume({ instances: new Map(vms.map((v) => [v.id, v])) });
  }
}

function bindable(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, ip, () => probe.close(() => resolve(true)));
  });
}

/** Cloudit's server states, from the lifecycle's: what `GET ace/…/servers` shows. */
export function serverState(s: Server, now: number): string {
  if (s.failed) return 'Failed';
  switch (s.vm.state) {
    case 'pending':
      return s.built ? 'Starting' : 'Creating';
    case 'running':
      return s.rebootUntil !== undefined && s.rebootUntil > now ? 'Rebooting' : 'Running';
    case 'stopping':
      return 'Stopping';
    case 'stopped':
      return 'Stopped';
    case 'shutting-down':
      return 'Terminating';
    case 'terminated':
      return 'Terminated';
  }
}
