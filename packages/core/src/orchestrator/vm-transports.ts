/**
 * The one place that decides how a VM is reached: through its driver's own exec transport when the
 * driver has one (Docker containers), else over SSH. Every command on VMs (exec, readiness,
 * provisioning, copy, benchmark, drain, agent install and pull, k8s bootstrap, `mcis ssh`) goes
 * through this router, so a provider that brings a transport gets all of them.
 */
import type { CredentialService } from '../credentials.js';
import { DriverPool } from '../driver/pool.js';
import type { DriverRegistry } from '../driver/port.js';
import { UsageError } from '../errors.js';
import type { CopyOptions, ExecOptions, ExecTarget, ExecTransport, FileCopy, Interactive, ReadyOptions, StreamOptions } from '../exec/transport.js';
import type { Connection, Vm } from '../model.js';

export interface VmTransportsOptions {
  /** How VMs are reached unless their driver says otherwise. */
  ssh: ExecTransport;
  drivers: DriverRegistry;
  store: { getConnection(name: string): Connection | undefined };
  credentials: Pick<CredentialService, 'material'>;
}

export class VmTransports implements ExecTransport {
  readonly kind = 'per VM';
  readonly copy: FileCopy;
  /** Drivers loaded for their transport, kept until close(): their transports hold connections. */
  private readonly pool: DriverPool;

  constructor(private readonly o: VmTransportsOptions) {
    this.pool = new DriverPool(o.store, o.drivers, o.credentials);
    this.copy = {
      upload: async (t, items, opts?: CopyOptions) => (await this.copierOf(t)).upload(t, items, opts),
      download: async (t, remote, local, opts?: CopyOptions) => (await this.copierOf(t)).download(t, remote, local, opts),
    };
  }

  /**
   * Whether a Running VM can be reached at all: it has an address for SSH, or its driver brings a
   * transport that needs none.
   */
  reachable(vm: Pick<Vm, 'publicIp' | 'provider' | 'connection'>): boolean {
    return vm.publicIp !== undefined || (vm.connection !== '' && this.o.drivers.ownsExecTransport?.(vm.provider) === true);
  }

  /** The transport for this VM: its driver's when the registry says the provider has one, else SSH. */
  async pick(target: ExecTarget): Promise<ExecTransport> {
    if (!target.connection || !this.o.drivers.ownsExecTransport?.(target.provider)) return this.o.ssh;
    const { driver } = await this.pool.get(target.connection);
    return driver.exec ?? this.o.ssh;
  }

  async exec(target: ExecTarget, command: string, opts?: ExecOptions) {
    return (await this.pick(target)).exec(target, command, opts);
  }

  async stream(target: ExecTarget, command: string, opts: StreamOptions) {
    return (await this.pick(target)).stream(target, command, opts);
  }

  async ready(target: ExecTarget, opts: ReadyOptions): Promise<void> {
    return (await this.pick(target)).ready(target, opts);
  }

  async interactive(target: ExecTarget): Promise<Interactive> {
    return (await this.pick(target)).interactive(target);
  }

  /** Closes the drivers loaded for their transport (the SSH executor belongs to the core). */
  close(): Promise<void> {
    return this.pool.closeAll();
  }

  private async copierOf(target: ExecTarget): Promise<FileCopy> {
    const t = await this.pick(target);
    if (t.copy) return t.copy;
    throw new UsageError(`VM '${target.vm}' cannot copy files: its ${target.provider} connection '${target.connection}' reaches it by ${t.kind}, which has no file copy`, {
      hint: 'move files with `cbadm mcis exec` instead (a command that writes its stdin, such as `cat > FILE`)',
    });
  }
}
