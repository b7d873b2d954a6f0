/**
 * The life of twin VMs behind every provider's API: state timers (pending → running, stopping →
 * stopped, shutting-down → terminated), public IPs and one SSH server per running VM. States use
 * EC2's names; other APIs map them to their own (GCE: PROVISIONING/STAGING, RUNNING, TERMINATED…).
 */
import { mkdir, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { InstanceLifecycle } from '../ec2/context.js';
import type { InstanceStateName } from '../ec2/model.js';
import type { VmSshServer, VmSshServerOptions } from '../ssh/vm-ssh-server.js';
import type { LoopbackIps } from './ips.js';
import { sleep } from '../sleep.js';
import type { Isolation } from './isolation/isolation.js';
import { loadableKey } from './keys.js';

/** What the lifecycle needs of a VM: an EC2 instance is one; a GCE instance holds one. */
export interface BackedVm {
  /** Unique across providers: it names the VM's directory under the state dir. */
  id: string;
  state: InstanceStateName;
  /** When the current transitional state is due to end (epoch ms). */
  dueAt?: number;
  publicIp?: string;
  assignPublicIp: boolean;
  hostKey: { privateKey: string; publicKey: string };
  /** The one public key the SSH server accepts (an EC2 key pair)… */
  authorizedKey?: string;
  /** …or several (GCE `ssh-keys` metadata); used when present. */
  authorizedKeys?: string[];
  sshUser: string;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  terminatedAt?: number;
  /**
   * `publicIp` was given out by the cloud's API (a Cloudit adaptive IP) and must stay: an address the
   * host refuses for now is tried again instead of replaced by the next one.
   */
  fixedAddress?: boolean;
  /** Set from the image: the VM gets Cloud-Twin's simulated node runtime (see ../k8s/runtime.ts). */
  nodeRuntime?: 'kubernetes';
}

/** What the lifecycle asks of the simulated node runtime for VMs flagged for it. */
export interface NodeRuntimeHooks {
  vmEnv(id: string): Record<string, string>;
  /** Host paths its tools live in: an isolated VM must still see them. */
  vmPaths(id: string): string[];
  prepare(id: string): void;
  vmGone(id: string): void;
}

/** VMs to pick up again after a restart (an EC2 region, a GCE project). */
export interface VmGroup {
  instances: ReadonlyMap<string, BackedVm>;
}

export interface SshBackend {
  startVmSshServer(opts: VmSshServerOptions): Promise<VmSshServer>;
  generateHostKey(): { privateKey: string; publicKey: string };
}

export interface LifecycleOptions {
  stateDir: string;
  sshPort: number;
  bootDelayMs: number;
  stopDelayMs: number;
  ips: LoopbackIps;
  ssh: SshBackend;
  changed: () => void;
  now: () => number;
  log: (message: string) => void;
  nodeRuntime?: NodeRuntimeHooks;
  /** Set when VMs get their own namespaces (see ./isolation). */
  isolation?: Isolation;
  /** The twin's API for node-runtime VMs' shims, once it listens (undefined when it never will). */
  twinApi?: () => Promise<{ port: number; accept(socket: Socket): void } | undefined>;
}

/**
 * What a cloud's engine needs of the VM lifecycle (timers, SSH servers, loopback IPs); `group` is
 * the cloud's own (EC2 region, GCE project, Azure subscription).
 */
export interface VmBacking {
  launch(group: unknown, vm: BackedVm): void;
  start(group: unknown, vm: BackedVm): void;
  stop(group: unknown, vm: BackedVm): void;
  reboot(group: unknown, vm: BackedVm): void;
  terminate(group: unknown, vm: BackedVm): void;
  resume(group: VmGroup): void;
  hostKey(): { privateKey: string; publicKey: string };
}

/**
 * Public addresses given to a VM after launch (an OpenStack floating IP) and taken away again:
 * the VM's SSH server moves with them.
 */
export interface AddressBacking {
  attachAddress(vm: BackedVm): void;
  detachAddress(vm: BackedVm): void;
}

/** Addresses in use by something else (another twin, another service): skip to the next one. */
const ADDRESS_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES']);
const MAX_ADDRESS_TRIES = 32;
/** Between tries of an address the VM may not leave; some sandboxes refuse a loopback address for a while. */
const FIXED_ADDRESS_RETRY_MS = 1_000;

function gmt(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT');
}

const USER_SHUTDOWN = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

export class VmLifecycle implements InstanceLifecycle {
  private readonly servers = new Map<string, VmSshServer>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped on every transition so work started for an older one stands down. */
  private readonly generation = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly o: LifecycleOptions) {}

  homeDir(id: string): string {
    return join(this.diskDir(id), 'home');
  }

  /** Everything a VM keeps across stop and start; gone when it is terminated. */
  private diskDir(id: string): string {
    return join(this.o.stateDir, 'vms', id);
  }

  hostKey(): { privateKey: string; publicKey: string } {
    return loadableKey(() => this.o.ssh.generateHostKey());
  }

  /** Number of VMs with a live SSH server. */
  get sshServers(): number {
    return this.servers.size;
  }

  hostPublicKey(id: string): string | undefined {
    return this.servers.get(id)?.hostPublicKey;
  }

  launch(region: unknown, inst: BackedVm): void {
    inst.dueAt = this.o.now() + this.o.bootDelayMs;
    this.boot(region, inst);
  }

  start(region: unknown, inst: BackedVm): void {
    inst.state = 'pending';
    inst.stateTransitionReason = '';
    delete inst.stateReason;
    inst.dueAt = this.o.now() + this.o.bootDelayMs;
    this.boot(region, inst);
  }

  stop(_region: unknown, inst: BackedVm): void {
    const g = this.userShutdown(inst, 'stopping');
    this.afterClose(inst, g, () => this.finishStopping(inst, g));
  }

  reboot(_region: unknown, inst: BackedVm): void {
    const g = this.bump(inst.id);
    this.track(
      (async () => {
        await this.closeServerNow(inst.id);
        if (this.stale(inst.id, g)) return;
        // A reboot starts the VM's processes afresh.
        await this.startMachine(inst);
        if (this.stale(inst.id, g)) return;
        if (inst.publicIp) await this.bringUpSsh(inst, g);
      })(),
      inst,
    );
  }

  /**
   * Brings the SSH server up on `inst.publicIp`, set by the caller with `assignPublicIp`. A VM still
   * booting gets it when it is up (see boot): starting it here as well would race boot's own.
   */
  attachAddress(inst: BackedVm): void {
    if (inst.state !== 'running') return;
    const g = this.generation.get(inst.id) ?? 0;
    this.track(
      (async () => {
        await this.closeServerNow(inst.id);
        if (!this.stale(inst.id, g)) await this.bringUpSsh(inst, g);
      })(),
      inst,
    );
  }

  /** The VM keeps running without a public address: its SSH server goes. */
  detachAddress(inst: BackedVm): void {
    delete inst.publicIp;
    this.track(this.closeServerNow(inst.id));
  }

  terminate(_region: unknown, inst: BackedVm): void {
    const g = this.userShutdown(inst, 'shutting-down');
    // The VM's disk goes while it shuts down: terminated means the home dir is gone.
    this.afterClose(inst, g, () => this.finishTerminating(inst, g), () => this.removeDisk(inst.id));
  }

  /** A shutdown the user asked for begins: the state EC2 reports until it is done. Returns the new generation. */
  private userShutdown(inst: BackedVm, state: 'stopping' | 'shutting-down'): number {
    const g = this.bump(inst.id);
    const now = this.o.now();
    inst.state = state;
    inst.stateTransitionReason = `User initiated (${gmt(now)})`;
    inst.stateReason = USER_SHUTDOWN;
    inst.dueAt = now + this.o.stopDelayMs;
    return g;
  }

    private removeDisk(id: string): Promise<void> {
    this.o.nodeRuntime?.vmGone(id);
    return rm(this.diskDir(id), { recursive: true, force: true });
  }

  /** The state ends only once the VM's SSH server is gone (and its due time has come). */
  private afterClose(inst: BackedVm, g: number, then: () => void, cleanup?: () => Promise<void>): void {
    this.track(
      (async () => {
        await this.closeServerNow(inst.id);
        await this.o.isolation?.stopVm(inst.id);
        if (cleanup) await cleanup();
        if (!this.stale(inst.id, g)) then();
      })(),
    );
  }

  /** After a restart: pick every instance up where the snapshot left it. */
  resume(region: VmGroup): void {
    for (const inst of region.instances.values()) {
      const g = this.bump(inst.id);
      switch (inst.state) {
        case 'pending':
          this.boot(region, inst);
          break;
        case 'running':
          this.track(
            (async () => {
              await this.startMachine(inst);
              if (inst.publicIp && !this.stale(inst.id, g)) await this.bringUpSsh(inst, g);
            })(),
            inst,
          );
          break;
        case 'stopping':
          this.finishStopping(inst, g);
          break;
        case 'shutting-down':
          this.afterClose(inst, g, () => this.finishTerminating(inst, g), () => this.removeDisk(inst.id));
          break;
        default:
          break;
      }
    }
  }

  /** Stops every timer and SSH server; resolves when all are closed. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.allSettled(servers.map((s) => s.close()));
  }

  private boot(_region: unknown, inst: BackedVm): void {
    const g = this.bump(inst.id);
    this.track(
      (async () => {
        await mkdir(this.homeDir(inst.id), { recursive: true });
        if (inst.nodeRuntime) this.o.nodeRuntime?.prepare(inst.id);
        await this.startMachine(inst);
        if (this.stale(inst.id, g)) return;
        if (inst.assignPublicIp) await this.bringUpSsh(inst, g);
        if (this.stale(inst.id, g)) return;
        this.at(inst, g, () => {
          inst.state = 'running';
          delete inst.dueAt;
          // An address given while it booted (an OpenStack floating IP) gets its SSH server now.
          if (inst.assignPublicIp && inst.publicIp && !this.servers.has(inst.id)) this.track(this.bringUpSsh(inst, g), inst);
        });
      })(),
      inst,
    );
  }

  /**
   * An isolated VM's namespaces and PID 1 (afresh); nothing without isolation. A node-runtime VM
   * keeps seeing its shims and system root, and reaches the twin's API on its own loopback.
   */
  private async startMachine(inst: BackedVm): Promise<void> {
    const iso = this.o.isolation;
    if (!iso || this.closing) return;
    await mkdir(this.homeDir(inst.id), { recursive: true });
    const node = inst.nodeRuntime ? this.o.nodeRuntime : undefined;
    const twinApi = node ? await this.o.twinApi?.() : undefined;
    await iso.startVm({ id: inst.id, diskDir: this.diskDir(inst.id), user: inst.sshUser, keep: node?.vmPaths(inst.id) ?? [], ...(twinApi ? { twinApi } : {}) });
  }

  /** Where an isolated VM's SSH server listens and how it runs commands; {} without isolation. */
  private async insideVm(inst: BackedVm, host: string): Promise<Partial<VmSshServerOptions>> {
    const iso = this.o.isolation;
    const machine = iso?.machine(inst.id);
    if (!iso || !machine) return {};
    await iso.publish(inst.id, host);
    try {
      const listener = await iso.sshListener(inst.id);
      return { listener, inside: { home: `/home/${inst.sshUser}`, wrap: (file, args, cwd) => machine.wrap(file, args, cwd) } };
    } catch (e) {
      await iso.unpublish(inst.id);
      throw e;
    }
  }

  private finishStopping(inst: BackedVm, g: number): void {
    this.at(inst, g, () => {
      inst.state = 'stopped';
      delete inst.publicIp;
      delete inst.dueAt;
    });
  }

  private finishTerminating(inst: BackedVm, g: number): void {
    this.at(inst, g, () => {
      inst.state = 'terminated';
      inst.terminatedAt = this.o.now();
      delete inst.publicIp;
      delete inst.dueAt;
    });
  }

  /** Runs `fn` when the instance's current state is due (now, if already past), unless superseded. */
  private at(inst: BackedVm, g: number, fn: () => void): void {
    if (this.closing) return;
    const wait = Math.max(0, (inst.dueAt ?? 0) - this.o.now());
    const t = setTimeout(() => {
      this.timers.delete(inst.id);
      if (this.stale(inst.id, g) || this.closing) return;
      fn();
      this.o.changed();
    }, wait);
    const old = this.timers.get(inst.id);
    if (old) clearTimeout(old);
    this.timers.set(inst.id, t);
  }

  /** Gives the VM a public IP (a fresh one unless it has one) and its SSH server there. */
  private async bringUpSsh(inst: BackedVm, g: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_ADDRESS_TRIES; attempt++) {
      if (this.stale(inst.id, g)) return;
      const host = inst.publicIp ?? this.o.ips.allocateFree();
      inst.publicIp = host;
      let server: VmSshServer;
      try {
        const inside = await this.insideVm(inst, host);
        server = await this.o.ssh.startVmSshServer({
          ...inside,
          host,
          port: this.o.sshPort,
          hostKey: inst.hostKey.privateKey,
          authorizedKeys: inst.authorizedKeys ?? (inst.authorizedKey ? [inst.authorizedKey] : []),
          homeDir: this.homeDir(inst.id),
          user: inst.sshUser,
          // CB_TWIN_ISOLATED: the VM is a namespace of its own, so what it runs (HAProxy on :80, the
          // overlay's tunnels) stays there and is not the host's.
          env: { CB_TWIN_INSTANCE_ID: inst.id, ...(inside.inside ? { CB_TWIN_ISOLATED: '1' } : {}), ...(inst.nodeRuntime ? this.o.nodeRuntime?.vmEnv(inst.id) : {}) },
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code && ADDRESS_ERRORS.has(code) && inst.fixedAddress && inst.publicIp) {
          // The cloud's API gave out this address (a Cloudit adaptive IP): the VM must answer on it, not move.
          this.o.log(`${inst.id}: ${host}:${this.o.sshPort} unusable (${code}); trying it again`);
          await sleep(FIXED_ADDRESS_RETRY_MS);
          continue;
        }
        if (code && ADDRESS_ERRORS.has(code)) {
          this.o.log(`${inst.id}: ${host}:${this.o.sshPort} unusable (${code}); taking the next address`);
          delete inst.publicIp;
          continue;
        }
        await this.o.isolation?.unpublish(inst.id);
        throw e;
      }
      if (this.stale(inst.id, g) || this.closing) {
        await server.close();
        await this.o.isolation?.unpublish(inst.id);
        return;
      }
      this.servers.set(inst.id, server);
      this.o.changed();
      return;
    }
    throw new Error(`no usable loopback address after ${MAX_ADDRESS_TRIES} tries`);
  }

  private async closeServerNow(id: string): Promise<void> {
    const server = this.servers.get(id);
    if (!server) return;
    this.servers.delete(id);
    await server.close();
    await this.o.isolation?.unpublish(id);
  }

  private bump(id: string): number {
    const g = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, g);
    const t = this.timers.get(id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(id);
    }
    return g;
  }

  private stale(id: string, g: number): boolean {
    return this.generation.get(id) !== g;
  }

  /**
   * Keeps background work awaited by close(). A VM that cannot boot ends as EC2 ends one:
   * terminated, with a Server.InternalError state reason.
   */
  private track(p: Promise<void>, inst?: BackedVm): void {
    const wrapped = p.catch((e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      this.o.log(`${inst?.id ?? 'vm'}: ${msg}`);
      if (inst && (inst.state === 'pending' || inst.state === 'running')) {
        this.bump(inst.id);
        inst.state = 'terminated';
        inst.terminatedAt = this.o.now();
        inst.stateReason = { code: 'Server.InternalError', message: 'Server.InternalError: Internal error on launch' };
        delete inst.publicIp;
        delete inst.dueAt;
        this.o.changed();
      }
    });
    const done = wrapped.finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
