/**
 * The processes of one container: its main process (the container lives as long as it does) and
 * the ones `exec` starts. All are spawned as the twin's VM SSH sessions spawn theirs (detached, in
 * the container's home dir, tracked), so stopping the container kills everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { ProcessTracker, signalProcess } from '../ssh/proc.js';
import { findScript, ptyArgv, shQuote } from '../ssh/pty.js';

export interface LogEntry {
  /** 1 stdout, 2 stderr (the multiplexed stream's ids). */
  stream: 1 | 2;
  data: Buffer;
  time: string;
}

/** Bound on the log a container keeps in memory; older lines go first. */
const MAX_LOG_BYTES = 1024 * 1024;

export interface SpawnRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Run on a pseudo-terminal (`script`), as `docker exec -t` does. */
  tty?: boolean;
}

export class ContainerProcesses extends EventEmitter {
  readonly tracker = new ProcessTracker();
  private main: ChildProcess | undefined;
  private readonly logs: LogEntry[] = [];
  private logBytes = 0;

  /** The log so far (what `docker logs` shows without --follow). */
  log(): LogEntry[] {
    return [...this.logs];
  }

  get mainPid(): number {
    return this.main?.pid ?? 0;
  }

  /**
   * Starts the main process; `onExit` gets its exit code (128+n after signal n) once it and every
   * process it left behind are gone. Rejects when the command cannot start (Docker's 400 at start).
   */
  startMain(req: SpawnRequest & { openStdin: boolean }, onExit: (code: number) => void): Promise<void> {
    const child = this.spawnTracked(req);
    this.main = child;
    // A closed stdin ends a shell at once; `-i`/OpenStdin keeps it open, as Docker does.
    if (req.openStdin) child.stdin?.on('error', () => {});
    else child.stdin?.end();
    const record = (stream: 1 | 2) => (data: Buffer) => this.append({ stream, data, time: new Date().toISOString() });
    child.stdout?.on('data', record(1));
    child.stderr?.on('data', record(2));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => {
        if (child.pid === undefined) reject(e);
      });
      // PID 1 gone: the kernel kills the rest of the container's processes (which also
      // closes the output pipes they inherited, so 'close' follows).
      child.once('exit', () => this.tracker.killAll());
      child.once('close', (code, signal) => {
        if (this.main === child) this.main = undefined;
        const exit = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
        this.emit('exit', exit);
        onExit(exit);
      });
    });
  }

  /** Starts an exec'd process (tracked with the container's). */
  spawn(req: SpawnRequest): ChildProcess {
    return this.spawnTracked(req);
  }

  /** Sends `signal` to the main process only (what `docker stop`/`kill` do to PID 1). */
  signalMain(signal: NodeJS.Signals): boolean {
    const pid = this.main?.pid;
    return pid !== undefined && signalProcess(pid, signal);
  }

  /** Resolves once the main process has exited (at once when there is none). */
  mainExited(): Promise<void> {
    if (!this.main) return Promise.resolve();
    return new Promise((resolve) => this.once('exit', () => resolve()));
  }

  /** SIGSTOP / SIGCONT to every process of the container (Docker's freezer cgroup). */
  freeze(on: boolean): void {
    this.tracker.signalGroups(on ? 'SIGSTOP' : 'SIGCONT');
  }

  /** SIGKILLs everything the container runs. */
  killAll(): void {
    const pid = this.main?.pid;
    if (pid !== undefined) signalProcess(-pid, 'SIGKILL');
    this.tracker.killAll();
  }

  private spawnTracked(req: SpawnRequest): ChildProcess {
    mkdirSync(req.cwd, { recursive: true });
    const [file, ...args] = req.argv;
    if (!file) throw new Error('no command');
    const script = req.tty ? findScript() : null;
    const pty = script ? ptyArgv(script, req.argv.map(shQuote).join(' '), { rows: 24, cols: 80 }) : undefined;
    const child = spawn(pty?.file ?? file, pty?.args ?? args, {
      cwd: req.cwd,
      env: { ...req.env, ...(pty?.env ?? {}) },
      // Own process group: signals and the final kill reach everything it starts.
      detached: true,
      stdio: 'pipe',
    });
    if (child.pid !== undefined) this.tracker.add(child.pid);
    child.stdin?.on('error', () => {});
    return child;
  }

  private append(e: LogEntry): void {
    this.logs.push(e);
    this.logBytes += e.data.length;
    while (this.logBytes > MAX_LOG_BYTES && this.logs.length > 1) this.logBytes -= this.logs.shift()?.data.length ?? 0;
    this.emit('log', e);
  }
}
