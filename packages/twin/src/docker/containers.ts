/**
 * Container operations as the Engine does them: create validates and records, start runs the main
 * process, stop sends SIGTERM then SIGKILL after the timeout, restart policies bring exited
 * containers back. Each container is a VM of the shared runtime (its home dir is the container's
 * file system, removed with it).
 */
import { constants } from 'node:os';
import type { BackedVm, VmBacking } from '../vm/lifecycle.js';
import { type DockerState, newId } from './engine.js';
import { badParameter, DockerError, noSuchImage, notRunning } from './errors.js';
import type { ContainerConfig, ContainerHostConfig, DockerContainer, RestartPolicy } from './model.js';
import { ContainerProcesses } from './processes.js';

export interface ContainerRuntime extends VmBacking {
  homeDir(id: string): string;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const POLICIES = new Set(['', 'no', 'always', 'unless-stopped', 'on-failure']);
const MAX_BACKOFF_MS = 60_000;
/** Smallest memory limit the Engine accepts. */
const MIN_MEMORY = 6 * 1024 * 1024;

const str = (x: unknown, fallback = ''): string => (typeof x === 'string' ? x : fallback);
const strings = (x: unknown): string[] | null => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : null);
const obj = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
const iso = () => new Date().toISOString();
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** `TERM`, `SIGTERM` or `15` → `SIGTERM`; 400 for anything else. */
export function parseSignal(s: string | undefined, fallback: NodeJS.Signals): NodeJS.Signals {
  if (!s) return fallback;
  const byNumber = Object.entries(constants.signals).find(([, n]) => String(n) === s)?.[0];
  const name = (byNumber ?? (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`)) as NodeJS.Signals;
  if (!(name in constants.signals)) throw badParameter(`Invalid signal: ${s}`);
  return name;
}

export class Containers {
  private readonly procs = new Map<string, ContainerProcesses>();
  private readonly backoff = new Map<string, NodeJS.Timeout>();
  private closing = false;

  constructor(
    private readonly state: DockerState,
    private readonly runtime: ContainerRuntime,
    private readonly log: (m: string) => void,
  ) {}

  processes(id: string): ContainerProcesses {
    let p = this.procs.get(id);
    if (!p) this.procs.set(id, (p = new ContainerProcesses()));
    return p;
  }

  homeDir(c: DockerContainer): string {
    return this.runtime.homeDir(c.vm.id);
  }

  create(nameParam: string | undefined, body: Record<string, unknown>): DockerContainer {
    const imageRef = str(body.Image);
    if (!imageRef) throw badParameter('config cannot be empty in order to create a container');
    const image = this.state.findImage(imageRef);
    if (!image) throw noSuchImage(imageRef.includes(':') || imageRef.includes('@') ? imageRef : `${imageRef}:latest`);
    if (nameParam !== undefined && nameParam !== '' && !NAME.test(nameParam)) {
      throw badParameter(`Invalid container name (${nameParam}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const name = nameParam?.replace(/^\//, '') || this.generatedName();
    const taken = [...this.state.containers.values()].find((c) => c.name === name);
    if (taken) {
      throw new DockerError(409, `Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const hostConfig = this.hostConfig(obj(body.HostConfig));
    const network = this.state.network(hostConfig.NetworkMode === 'default' ? 'bridge' : hostConfig.NetworkMode);
    const id = newId();
    const labels = Object.fromEntries(Object.entries(obj(body.Labels)).map(([k, v]) => [k, String(v)]));
    const config: ContainerConfig = {
      Hostname: str(body.Hostname) || id.slice(0, 12),
      User: str(body.User),
      Env: strings(body.Env) ?? [],
      Cmd: strings(body.Cmd),
      Entrypoint: strings(body.Entrypoint),
      Image: imageRef,
      WorkingDir: str(body.WorkingDir),
      Labels: labels,
      Tty: body.Tty === true,
      OpenStdin: body.OpenStdin === true,
      AttachStdout: body.AttachStdout !== false,
      AttachStderr: body.AttachStderr !== false,
    };
    const vm: BackedVm = {
      id: `docker-${id.slice(0, 12)}`,
      state: 'stopped',
      assignPublicIp: false,
      // No SSH server: a container is entered with exec.
      hostKey: { privateKey: '', publicKey: '' },
      sshUser: 'root',
      stateTransitionReason: '',
    };
    const c: DockerContainer = {
      id,
      name,
      created: iso(),
      imageId: image.id,
      config,
      hostConfig: { ...hostConfig, NetworkMode: hostConfig.NetworkMode === 'default' ? 'bridge' : hostConfig.NetworkMode },
      networks: {},
      status: 'created',
      exitCode: 0,
      startedAt: ZERO_TIME,
      finishedAt: ZERO_TIME,
      pid: 0,
      restartCount: 0,
      stoppedByUser: false,
      vm,
    };
    if (network.Driver === 'bridge') {
      const { ip, gateway } = this.state.allocateIp(network);
      c.networks[network.Name] = {
        NetworkID: network.Id,
        EndpointID: newId(),
        Gateway: gateway,
        IPAddress: ip,
        IPPrefixLen: 16,
        MacAddress: `02:42:ac:${[network.subnetIndex, ...ip.split('.').slice(2)].map((n) => Number(n).toString(16).padStart(2, '0')).join(':')}`,
        Aliases: network.Name === 'bridge' ? null : [name, id.slice(0, 12)],
      };
    }
    this.state.containers.set(id, c);
    this.state.touch();
    return c;
  }

  /** Starts the main process; false when it already runs (the Engine's 304). */
  async start(c: DockerContainer): Promise<boolean> {
    if (c.status === 'paused') throw new DockerError(409, 'cannot start a paused container, try unpause instead');
    if (c.status === 'running') return false;
    this.clearBackoff(c.id);
    c.stoppedByUser = false;
    await this.run(c);
    return true;
  }

  /** SIGTERM (or `signal`) to the main process, SIGKILL after `timeoutS`; false when not running (304). */
  async stop(c: DockerContainer, timeoutS: number | undefined, signal?: NodeJS.Signals): Promise<boolean> {
    if (c.status === 'restarting') {
      this.clearBackoff(c.id);
      c.stoppedByUser = true;
      c.status = 'exited';
      this.state.touch();
      return true;
    }
    if (c.status !== 'running' && c.status !== 'paused') return false;
    c.stoppedByUser = true;
    const p = this.processes(c.id);
    const exited = p.mainExited();
    p.signalMain(signal ?? 'SIGTERM');
    if (c.status === 'paused') p.freeze(false);
    const waitMs = (timeoutS ?? 10) < 0 ? undefined : (timeoutS ?? 10) * 1000;
    const inTime = await Promise.race([exited.then(() => true), waitMs === undefined ? new Promise<boolean>(() => {}) : delay(waitMs).then(() => false)]);
    if (!inTime) p.killAll();
    await exited;
    return true;
  }

  async restart(c: DockerContainer, timeoutS: number | undefined): Promise<void> {
    await this.stop(c, timeoutS);
    await this.start(c);
  }

  async kill(c: DockerContainer, signal: NodeJS.Signals): Promise<void> {
    if (c.status !== 'running' && c.status !== 'paused') throw notRunning(c.id);
    c.stoppedByUser = true;
    const p = this.processes(c.id);
    const exited = p.mainExited();
    if (signal === 'SIGKILL') {
      p.killAll();
      await exited;
    } else {
      p.signalMain(signal);
    }
  }

  pause(c: DockerContainer): void {
    if (c.status === 'paused') throw new DockerError(409, `Container ${c.id} is already paused`);
    if (c.status !== 'running') throw notRunning(c.id);
    this.processes(c.id).freeze(true);
    c.status = 'paused';
    this.state.touch();
  }

  unpause(c: DockerContainer): void {
    if (c.status !== 'paused') throw new DockerError(409, `Container ${c.id} is not paused`);
    this.processes(c.id).freeze(false);
    c.status = 'running';
    this.state.touch();
  }

  /** Removes the container and its file system (its anonymous volumes with it). */
  async remove(c: DockerContainer, force: boolean): Promise<void> {
    if ((c.status === 'running' || c.status === 'paused') && !force) {
      throw new DockerError(409, `cannot remove container "/${c.name}": container is ${c.status}: stop the container before removing or force remove`);
    }
    this.clearBackoff(c.id);
    c.stoppedByUser = true;
    if (c.status === 'running' || c.status === 'paused') {
      const p = this.processes(c.id);
      const exited = p.mainExited();
      p.killAll();
      await exited;
    }
    this.state.containers.delete(c.id);
    this.procs.get(c.id)?.removeAllListeners();
    this.procs.delete(c.id);
    this.runtime.terminate(undefined, c.vm);
    this.state.touch();
  }

  /** After a twin restart: containers that ran come back where their restart policy says so. */
  restoreAll(): void {
    for (const c of this.state.containers.values()) {
      if (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting') continue;
      const policy = c.hostConfig.RestartPolicy.Name;
      if (policy === 'always' || (policy === 'unless-stopped' && !c.stoppedByUser)) {
        void this.run(c).catch((e: unknown) => this.log(`container ${c.name}: restart failed: ${String(e)}`));
      } else {
        Object.assign(c, { status: 'exited', exitCode: 143, pid: 0, finishedAt: iso() });
      }
    }
  }

  /** Kills every container's processes (the daemon stops); their records keep the state they had. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.backoff.values()) clearTimeout(t);
    const exits = [...this.procs.values()].map((p) => {
      const exited = p.mainExited();
      p.killAll();
      return exited;
    });
    await Promise.all(exits);
  }

  private async run(c: DockerContainer): Promise<void> {
    const image = this.state.images.get(c.imageId);
    const entry = c.config.Entrypoint ?? [];
    const argv = [...entry, ...(c.config.Cmd ?? (c.config.Entrypoint ? [] : (image?.cmd ?? [])))];
    if (!argv.length) throw badParameter('no command specified');
    const p = this.processes(c.id);
    const env = envOf([...(image?.env ?? []), ...c.config.Env], {
      HOSTNAME: c.config.Hostname,
      HOME: this.homeDir(c),
      CB_TWIN_INSTANCE_ID: c.vm.id,
    });
    try {
      await p.startMain({ argv, env, cwd: this.homeDir(c), openStdin: c.config.OpenStdin }, (code) => this.exited(c, code));
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `exec: "${argv[0]}": executable file not found in $PATH` : String(e);
      Object.assign(c, { status: 'exited', exitCode: 127, finishedAt: iso() });
      this.state.touch();
      throw new DockerError(400, `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${reason}: unknown`);
    }
    Object.assign(c, { status: 'running', pid: p.mainPid, startedAt: iso(), exitCode: 0 });
    this.runtime.start(undefined, c.vm);
    this.state.touch();
  }

  private exited(c: DockerContainer, code: number): void {
    if (this.closing || !this.state.containers.has(c.id)) return;
    Object.assign(c, { status: 'exited', exitCode: code, pid: 0, finishedAt: iso() });
    this.runtime.stop(undefined, c.vm);
    if (this.restarts(c.hostConfig.RestartPolicy, c, code)) {
      c.status = 'restarting';
      const wait = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(c.restartCount, 10));
      this.backoff.set(
        c.id,
        setTimeout(() => {
          this.backoff.delete(c.id);
          c.restartCount++;
          this.run(c).catch((e: unknown) => this.log(`container ${c.name}: restart failed: ${String(e)}`));
        }, wait),
      );
    }
    this.state.touch();
  }

  private restarts(policy: RestartPolicy, c: DockerContainer, code: number): boolean {
    if (c.stoppedByUser) return false;
    if (policy.Name === 'always' || policy.Name === 'unless-stopped') return true;
    return policy.Name === 'on-failure' && code !== 0 && (policy.MaximumRetryCount === 0 || c.restartCount < policy.MaximumRetryCount);
  }

  private clearBackoff(id: string): void {
    clearTimeout(this.backoff.get(id));
    this.backoff.delete(id);
  }

  private hostConfig(h: Record<string, unknown>): ContainerHostConfig {
    const nano = typeof h.NanoCpus === 'number' ? h.NanoCpus : 0;
    const { ncpu } = this.state.host;
    if (nano < 0 || nano > ncpu * 1e9 || (nano > 0 && nano < 1e7)) {
      throw badParameter(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
    const memory = typeof h.Memory === 'number' ? h.Memory : 0;
    if (memory !== 0 && memory < MIN_MEMORY) throw badParameter('Minimum memory limit allowed is 6MB');
    const rp = obj(h.RestartPolicy);
    const policyName = str(rp.Name);
    if (!POLICIES.has(policyName)) throw badParameter(`invalid restart policy: unknown policy '${policyName}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
    const retries = typeof rp.MaximumRetryCount === 'number' ? rp.MaximumRetryCount : 0;
    if (retries && policyName !== 'on-failure') throw badParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
    return {
      NanoCpus: nano,
      Memory: memory,
      RestartPolicy: { Name: policyName as RestartPolicy['Name'], MaximumRetryCount: retries },
      NetworkMode: str(h.NetworkMode) || 'default',
      AutoRemove: h.AutoRemove === true,
    };
  }

  private generatedName(): string {
    const left = ['admiring', 'brave', 'eager', 'focused', 'gifted', 'jolly', 'nifty', 'quirky'];
    const right = ['babbage', 'curie', 'hopper', 'lovelace', 'noether', 'turing', 'wozniak', 'yonath'];
    for (let i = 0; ; i++) {
      const n = `${left[Math.floor(Math.random() * left.length)]}_${right[Math.floor(Math.random() * right.length)]}${i > 20 ? i : ''}`;
      if (![...this.state.containers.values()].some((c) => c.name === n)) return n;
    }
  }
}

/** `KEY=value` lines over defaults, later lines winning, as the Engine merges image and container env. */
export function envOf(lines: string[], base: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
