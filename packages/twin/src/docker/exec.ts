/**
 * Exec instances: `POST /containers/{id}/exec` records one, `POST /exec/{id}/start` runs it in the
 * container (a real process, as a VM's SSH session runs a command) and streams its output, and
 * `GET /exec/{id}/json` reports its exit code.
 */
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { type Containers, envOf } from './containers.js';
import { type DockerState, newId } from './engine.js';
import { badParameter, DockerError, noSuchExec, notRunning } from './errors.js';
import type { DockerContainer } from './model.js';
import { frame } from './stream.js';

export interface ExecInstance {
  id: string;
  containerId: string;
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env: string[];
  workingDir: string;
  user: string;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
}

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);

export class Execs {
  private readonly all = new Map<string, ExecInstance>();

  constructor(
    private readonly state: DockerState,
    private readonly containers: Containers,
  ) {}

  create(c: DockerContainer, body: Record<string, unknown>): ExecInstance {
    if (c.status === 'paused') throw new DockerError(409, `Container ${c.id} is paused, unpause the container before exec`);
    if (c.status !== 'running') throw notRunning(c.id);
    const cmd = strings(body.Cmd);
    if (!cmd.length) throw badParameter('No exec command specified');
    const e: ExecInstance = {
      id: newId(),
      containerId: c.id,
      cmd,
      tty: body.Tty === true,
      attachStdin: body.AttachStdin === true,
      attachStdout: body.AttachStdout !== false,
      attachStderr: body.AttachStderr !== false,
      env: strings(body.Env),
      workingDir: typeof body.WorkingDir === 'string' ? body.WorkingDir : '',
      user: typeof body.User === 'string' ? body.User : '',
      running: false,
      started: false,
      exitCode: null,
      pid: 0,
    };
    this.all.set(e.id, e);
    return e;
  }

  get(id: string): ExecInstance {
    const e = this.all.get(id);
    if (!e) throw noSuchExec(id);
    return e;
  }

  inspect(e: ExecInstance) {
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: { tty: e.tty, entrypoint: e.cmd[0], arguments: e.cmd.slice(1), privileged: false, user: e.user },
      OpenStdin: e.attachStdin,
      OpenStderr: e.attachStderr,
      OpenStdout: e.attachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: '',
      Pid: e.pid,
    };
  }

  /** Checks that `e` may start now (the Engine answers these before it upgrades the connection). */
  checkStartable(e: ExecInstance): DockerContainer {
    if (e.started) throw new DockerError(409, `Exec command ${e.id} has already run`);
    const c = this.state.container(e.containerId);
    if (c.status === 'paused') throw new DockerError(409, `Container ${c.id} is paused, unpause the container before exec`);
    if (c.status !== 'running') throw notRunning(c.id);
    return c;
  }

  /**
   * Runs `e`: output goes to `out` (frames unless a TTY), `input` (when attached) to its stdin.
   * Resolves with the exit code once the process is gone and its output written.
   */
  run(e: ExecInstance, io: { out?: Writable; input?: Readable }): Promise<number> {
    const c = this.checkStartable(e);
    e.started = true;
    e.running = true;
    const image = this.state.images.get(c.imageId);
    const home = this.containers.homeDir(c);
    const env = envOf([...(image?.env ?? []), ...c.config.Env, ...e.env], { HOSTNAME: c.config.Hostname, HOME: home, CB_TWIN_INSTANCE_ID: c.vm.id });
    const send = (stream: 1 | 2, data: Buffer) => {
      if (io.out?.writable) io.out.write(e.tty ? data : frame(stream, data));
    };
    return new Promise((resolve) => {
      const finish = (code: number) => {
        e.running = false;
        e.exitCode = code;
        resolve(code);
      };
      let child;
      try {
        child = this.containers.processes(c.id).spawn({ argv: e.cmd, env, cwd: home, tty: e.tty });
      } catch (err) {
        send(2, Buffer.from(`OCI runtime exec failed: ${String(err)}: unknown\r\n`));
        finish(126);
        return;
      }
      e.pid = child.pid ?? 0;
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return;
        const why = err.code === 'ENOENT' ? `exec: "${e.cmd[0]}": executable file not found in $PATH` : err.message;
        send(1, Buffer.from(`OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown\r\n`));
        finish(126);
      });
      if (e.attachStdout) child.stdout?.on('data', (d: Buffer) => send(1, d));
      else child.stdout?.resume();
      if (e.attachStderr) child.stderr?.on('data', (d: Buffer) => send(e.tty ? 1 : 2, d));
      else child.stderr?.resume();
      if (e.attachStdin && io.input && child.stdin) io.input.pipe(child.stdin);
      else child.stdin?.end();
      child.once('close', (code, signal) => finish(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0)));
    });
  }

  /** Forgets the exec instances of a removed container. */
  forget(containerId: string): void {
    for (const [id, e] of this.all) if (e.containerId === containerId) this.all.delete(id);
  }
}
