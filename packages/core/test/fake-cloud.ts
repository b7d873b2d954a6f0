/**
 * An in-memory cloud implementing the driver port, for orchestrator tests: VMs change state on
 * each describe, create is idempotent by client token, and failures can be planted per VM name.
 */
import type { CloudDriver, CreateVmRequest, DriverRegistry, VmInfo } from '../src/driver/port.js';
import { ProviderError } from '../src/errors.js';
import type { Provider } from '../src/model.js';
import type { SshBackend } from '../src/exec/ssh.js';
import type { ExecResult } from '../src/orchestrator/deps.js';
import type { SshOutputSink, SshTarget } from '../src/ssh/executor.js';

interface FakeVm {
  info: VmInfo;
  token: string;
  /** Describes left before a transient state settles. */
  ticks: number;
  settle: VmInfo['status'];
}

export class FakeCloud {
  vms = new Map<string, FakeVm>();
  networks = new Set<string>();
  keys = new Set<string>();
  calls: string[] = [];
  /** VM names whose create call fails with this error code. */
  failCreate = new Map<string, string>();
  /** VM names that never reach running (go terminated instead). */
  dieOnBoot = new Set<string>();
  /** Regions whose network calls answer 503 (a regional outage of the network API). */
  networkDown = new Set<string>();
  /** Regions whose describe calls answer 503. */
  describeDown = new Set<string>();
  /** Provider ids whose action calls (suspend, resume, reboot, terminate) are refused with this code. */
  failAction = new Map<string, string>();
  private seq = 0;

  registry(): DriverRegistry {
    return {
      providers: () => ['aws'] as Provider[],
      load: async () => (opts) => this.driver(opts.connection.region),
    };
  }

  driver(region: string): CloudDriver {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the returned object literal's methods close over the cloud
    const cloud = this;
    return {
      provider: 'aws',
      capabilities: { unsupported: {}, suspendMethod: 'stop', idempotentCreate: true },
      catalog: {
        listRegions: async () => [{ name: region, zones: [`${region}a`] }],
        listSpecs: async () => [],
        listImages: async () => [],
        resolveImage: async (image) => ({ id: `img-${image}`, name: image, os: 'linux', arch: 'x86_64', sshUser: 'ubuntu' }),
      },
      network: {
        ensureDefault: async ({ name }) => {
          cloud.calls.push(`ensureNetwork ${name}`);
          if (cloud.networkDown.has(region)) throw unavailable(region);
          cloud.networks.add(name);
          return { networkId: `vpc-${name}`, subnetId: `subnet-${name}`, securityGroupId: `sg-${name}`, extra: {} };
        },
        findDefault: async ({ name }) => {
          cloud.calls.push(`findNetwork ${name}`);
          if (cloud.networkDown.has(region)) throw unavailable(region);
          return cloud.networks.has(name) ? { networkId: `vpc-${name}`, subnetId: `subnet-${name}`, securityGroupId: `sg-${name}`, extra: {} } : undefined;
        },
        deleteDefault: async (net) => {
          if (cloud.networkDown.has(region)) throw unavailable(region);
          cloud.calls.push(`deleteNetwork ${net.networkId}`);
          cloud.networks.delete(net.networkId.replace(/^vpc-/, ''));
        },
      },
      keys: {
        ensureKeyPair: async ({ name }) => {
          cloud.keys.add(name);
          return { keyName: name };
        },
        deleteKeyPair: async (name) => {
          cloud.keys.delete(name);
        },
        hasKeyPair: async (name) => cloud.keys.has(name),
      },
      vms: {
        create: async (req: CreateVmRequest) => {
          cloud.calls.push(`create ${req.name}`);
          const code = cloud.failCreate.get(req.name);
          if (code) throw new ProviderError({ provider: 'aws', code, message: 'planted failure', errorClass: 'capacity', retryable: false });
          const existing = [...cloud.vms.values()].find((v) => v.token === req.clientToken);
          if (existing) return existing.info;
          const id = `i-${(++cloud.seq).toString(16).padStart(8, '0')}`;
          const vm: FakeVm = {
            token: req.clientToken,
            ticks: 1,
            settle: cloud.dieOnBoot.has(req.name) ? 'Terminated' : 'Running',
            info: { providerId: id, status: 'Creating', nativeState: 'pending', tags: req.tags, privateIp: `10.0.0.${cloud.seq}` },
          };
          cloud.vms.set(id, vm);
          return vm.info;
        },
        describe: async (ids) => {
          if (cloud.describeDown.has(region)) throw unavailable(region);
          return ids.flatMap((id) => {
          const vm = cloud.vms.get(id);
          if (!vm) return [];
          if (vm.ticks > 0) vm.ticks--;
          else if (vm.info.status !== vm.settle) {
            vm.info = { ...vm.info, status: vm.settle, nativeState: vm.settle.toLowerCase(), ...(vm.settle === 'Running' ? { publicIp: `127.9.0.${Number.parseInt(id.slice(2), 16)}` } : { publicIp: undefined }) };
          }
          return [vm.info];
          });
        },
        findByTags: async (tags) => [...cloud.vms.values()].filter((v) => Object.entries(tags).every(([k, val]) => v.info.tags[k] === val)).map((v) => v.info),
        suspend: async (ids) => cloud.transition(ids, 'Suspending', 'Suspended'),
        resume: async (ids) => cloud.transition(ids, 'Resuming', 'Running'),
        reboot: async (ids) => cloud.transition(ids, 'Running', 'Running'),
        // Like the real drivers: terminating something already gone is done, not an error.
        terminate: async (ids) => cloud.transition(ids.filter((id) => cloud.vms.has(id)), 'Terminating', 'Terminated'),
      },
      ping: async () => ({ region, latencyMs: 1 }),
      close: () => {},
    };
  }

  /** Like GCE and ARM, one call per VM: the ones before a failing VM are done, the error names that one. */
  private transition(ids: string[], via: VmInfo['status'], to: VmInfo['status']): void {
    for (const id of ids) {
      const code = this.failAction.get(id);
      if (code) {
        throw new ProviderError({ provider: 'aws', code, message: `planted failure for ${id}`, errorClass: 'throttled', retryable: true });
      }
      const vm = this.vms.get(id);
      if (!vm) throw new ProviderError({ provider: 'aws', code: 'InvalidInstanceID.NotFound', message: id, errorClass: 'not-found', retryable: false });
      vm.info = { ...vm.info, status: via, nativeState: via.toLowerCase() };
      vm.ticks = 1;
      vm.settle = to;
    }
  }

  live(): VmInfo[] {
    return [...this.vms.values()].map((v) => v.info).filter((i) => i.status !== 'Terminated');
  }
}

function unavailable(region: string): ProviderError {
  return new ProviderError({ provider: 'aws', code: 'Unavailable', message: `region ${region} is down`, errorClass: 'unavailable', retryable: true });
}

/** An SSH runner that answers for every host except those listed as unreachable. */
export class FakeSsh implements SshBackend {
  unreachable = new Set<string>();
  probes: string[] = [];
  async probe(target: SshTarget): Promise<void> {
    this.probes.push(target.host);
    if (this.unreachable.has(target.host)) throw new Error(`connect ECONNREFUSED ${target.host}:${target.port}`);
  }
  /** Hosts whose commands fail to run (the connection drops), and every command run, by host. */
  execFails = new Set<string>();
  execs: Array<{ host: string; command: string }> = [];
  async exec(target: SshTarget, command: string, opts: { output?: SshOutputSink } = {}): Promise<ExecResult> {
    this.execs.push({ host: target.host, command });
    if (this.execFails.has(target.host)) throw new Error(`connection to ${target.host} lost`);
    const stdout = `${target.label}: ${command}\n`;
    if (opts.output) await opts.output.stdout(Buffer.from(stdout));
    return { exitCode: command === 'false' ? 1 : 0, stdout: opts.output ? '' : stdout, stderr: '', durationMs: 1 };
  }
  async sftp<T>(target: SshTarget): Promise<T> {
    throw new Error(`no SFTP on the fake host ${target.host}`);
  }
  async stream(target: SshTarget): Promise<never> {
    throw new Error(`no streams on the fake host ${target.host}`);
  }
  async shell(target: SshTarget): Promise<never> {
    throw new Error(`no shell on the fake host ${target.host}`);
  }
}
