/**
 * One SSH session channel on a VM: collects `env` and `pty-req`, then runs `exec`, `shell` or the `sftp`
 * subsystem as a real process in the VM's home directory, the way sshd does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';
import type { AcceptConnection, RejectConnection, ServerChannel, Session } from 'ssh2';
import { descendantsOf, listProcesses, signalProcess, toSignal, type ProcessTracker } from './proc.js';
import { findPtyDevice, findScript, ptyArgv, resizePty, type PtySize } from './pty.js';

/** How commands enter an isolated VM, and the home directory as the VM sees it. */
export interface VmInside {
  home: string;
  wrap(file: string, args: string[], cwd: string): { file: string; args: string[] };
}

/** What a session needs from the server it belongs to. */
export interface SessionHost {
  homeDir: string;
  user: string;
  env: Record<string, string>;
  /** `SSH_CONNECTION` value: "clientIp clientPort serverIp serverPort". */
  sshConnection: string;
  tracker: ProcessTracker;
  /** True once the server is closing: no new process may start. */
  isClosing(): boolean;
  /** Set for an isolated VM: commands run inside its namespaces, HOME as the VM sees it. */
  inside?: VmInside;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Signals the SSH protocol (and ssh2) can carry in `exit-signal`; others are reported as 128+n. */
const SSH_SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'QUIT',
  'SEGV',
  'TERM',
  'USR1',
  'USR2',
  'KILL',
  'PIPE',
]);
const SFTP_SERVER_CANDIDATES = [
  '/usr/lib/openssh/sftp-server',
  '/usr/libexec/openssh/sftp-server',
  '/usr/libexec/sftp-server',
  '/usr/lib/ssh/sftp-server',
];

function findSftpServer(): string | undefined {
  return SFTP_SERVER_CANDIDATES.find((p) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** ssh2 1.17's private flow-control state of a channel (lib/Channel.js). */
interface FlowState {
  outgoing: { window: number };
  _waitWindow: boolean;
  _chunk?: Buffer;
  _chunkcb?: () => void;
  _chunkErr?: Buffer;
  _chunkcbErr?: () => void;
}

/**
 * Works around an ssh2 1.17 flow-control bug: when stdout and stderr both wait for the client's
 * window, the WINDOW_ADJUST handler resumes only stdout, and stderr's pending chunk waits forever
 * (a command's last stderr line and its exit status never arrive). A chunk still pending while the
 * window is open and ssh2 no longer waits for one is written again here.
 */
function resumeStalledWrites(channel: ServerChannel): void {
  const f = channel as unknown as Partial<FlowState>;
  if (typeof f.outgoing?.window !== 'number') return; // another ssh2 than 1.17's internals: nothing to mend
  // A chunk whose write finished stays in these fields; ssh2 would write it again on a later
  // WINDOW_ADJUST meant for the other stream. Nothing pending means they are stale.
  if (channel.writableLength === 0) [f._chunk, f._chunkcb] = [undefined, undefined];
  if (channel.stderr.writableLength === 0) [f._chunkErr, f._chunkcbErr] = [undefined, undefined];
  if (f._waitWindow || f.outgoing.window <= 0) return;
  if (f._chunkErr && f._chunkcbErr && channel.stderr.writableLength > 0) {
    const [data, cb] = [f._chunkErr, f._chunkcbErr];
    f._chunkErr = undefined;
    f._chunkcbErr = undefined;
    (channel.stderr as unknown as { _write(d: Buffer, e: null, cb: () => void): void })._write(data, null, cb);
  } else if (f._chunk && f._chunkcb && channel.writableLength > 0) {
    const [data, cb] = [f._chunk, f._chunkcb];
    f._chunk = undefined;
    f._chunkcb = undefined;
    (channel as unknown as { _write(d: Buffer, e: null, cb: () => void): void })._write(data, null, cb);
  }
}

/** Resolves once everything written so far has gone to the SSH layer (or the channel is gone). */
function flushed(stream: Writable, channel: ServerChannel): Promise<void> {
  if (stream.writableLength === 0 || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      channel.off('close', done);
      resolve();
    };
    channel.once('close', done);
    // Writable callbacks run in order, so this one fires after every earlier chunk went out.
    stream.write(Buffer.alloc(0), done);
  });
}

interface PtyRequest extends PtySize {
  term: string;
}

export class VmSession {
  private readonly requestedEnv: Record<string, string> = {};
  private pty: PtyRequest | undefined;
  private child: ChildProcess | undefined;
  private channel: ServerChannel | undefined;
  private viaScript = false;
  private ptyDevice: string | undefined;
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    session: Session,
    private readonly host: SessionHost,
  ) {
    session.on('env', (accept, reject, info) => {
      if (ENV_NAME.test(info.key)) {
        this.requestedEnv[info.key] = info.val;
        accept?.();
      } else {
        reject?.();
      }
    });
    session.on('pty', (accept, _reject, info) => {
      this.pty = { term: info.term || 'xterm', rows: info.rows, cols: info.cols };
      accept?.();
    });
    session.on('window-change', (accept, _reject, info) => {
      accept?.();
      if (this.pty) {
        this.pty.rows = info.rows;
        this.pty.cols = info.cols;
        this.applyWindowSize(5);
      }
    });
    session.on('signal', (accept, reject, info) => {
      const signal = toSignal(info.name);
      if (!signal || !this.running) {
        reject?.();
        return;
      }
      accept?.();
      for (const group of this.signalTargets()) signalProcess(-group, signal);
    });
    session.on('exec', (accept, reject, info) => this.start(accept, reject, info.command));
    session.on('shell', (accept, reject) => this.start(accept, reject, undefined));
    session.on('subsystem', (accept, reject, info) => {
      const sftpServer = info.name === 'sftp' ? findSftpServer() : undefined;
      if (!sftpServer) {
        reject?.();
        return;
      }
      this.start(accept, reject, undefined, { file: sftpServer, args: [], noPty: true });
    });
    // The client closed the channel: hang up on the command as a closing terminal would.
    session.on('close', () => this.hangup());
  }

  /** Resolves when this session has no process running (immediately if it never started one). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The connection under this session is gone: stop relaying and send SIGHUP, as sshd does when a
   * client disappears. Processes that ignore SIGHUP (nohup) keep running until the VM stops.
   */
  hangup(): void {
    if (!this.running || !this.child) return;
    const child = this.child;
    child.stdout?.unpipe();
    child.stderr?.unpipe();
    // Keep draining so a chatty survivor never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    child.stdin?.destroy();
    for (const group of this.signalTargets()) signalProcess(-group, 'SIGHUP');
  }

  private buildEnv(extra: Record<string, string>): Record<string, string> {
    const [clientIp = '', clientPort = ''] = this.host.sshConnection.split(' ');
    const env: Record<string, string> = {
      PATH: DEFAULT_PATH,
      HOME: this.host.inside?.home ?? this.host.homeDir,
      USER: this.host.user,
      LOGNAME: this.host.user,
      SHELL: '/bin/sh',
      ...this.host.env,
      ...this.requestedEnv,
      ...extra,
      SSH_CONNECTION: this.host.sshConnection,
      SSH_CLIENT: `${clientIp} ${clientPort} ${this.host.sshConnection.split(' ')[3] ?? ''}`,
    };
    if (this.pty) env.TERM = this.pty.term;
    return env;
  }

  private start(
    accept: AcceptConnection<ServerChannel> | undefined,
    reject: RejectConnection | undefined,
    command: string | undefined,
    program?: { file: string; args: string[]; noPty: true },
  ): void {
    if (this.host.isClosing() || this.running || !accept) {
      reject?.();
      return;
    }
    let file: string;
    let args: string[];
    let extraEnv: Record<string, string> = {};
    const script = this.pty && !program ? findScript() : null;
    if (program) {
      ({ file, args } = program);
    } else if (this.pty && script) {
      const argv = ptyArgv(script, command, this.pty);
      ({ file, args } = argv);
      extraEnv = argv.env;
      this.viaScript = true;
    } else if (command !== undefined) {
      file = '/bin/sh';
      args = ['-c', command];
    } else {
      // Without a pty sshd runs a non-interactive shell reading commands from stdin; with a pty but
      // no `script` an interactive shell on pipes is the best we can do.
      file = '/bin/sh';
      args = this.pty ? ['-i'] : [];
    }

    const channel = accept();
    // ssh2 returns nothing when the session closed before we answered.
    if (!channel) return;
    this.channel = channel;
    this.running = true;

    const inside = this.host.inside;
    if (inside) ({ file, args } = inside.wrap(file, args, inside.home));
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: inside ? '/' : this.host.homeDir,
        env: this.buildEnv(extraEnv),
        // Own session and process group: signals and the final kill reach everything it starts.
        detached: true,
        stdio: 'pipe',
      });
    } catch (e) {
      this.failStart(channel, e);
      return;
    }
    this.child = child;
    if (child.pid !== undefined) this.host.tracker.add(child.pid);

    let finished = false;
    child.once('error', (e) => {
      if (finished) return;
      // A spawn failure (missing shell, unusable home dir) emits 'error' and may never emit 'close'.
      if (child.pid === undefined) {
        finished = true;
        this.failStart(channel, e);
      }
    });
    child.stdin?.on('error', () => {
      // EPIPE: the command exited without reading all its input. Not an error for the session.
    });
    if (child.stdin) channel.pipe(child.stdin);
    child.stdout?.pipe(channel, { end: false });
    const unstall = setInterval(() => resumeStalledWrites(channel), 100).unref();
    channel.once('close', () => clearInterval(unstall));
    child.stderr?.pipe(channel.stderr, { end: false });
    channel.on('error', () => {
      // The connection died; the session's 'close' handler hangs up.
    });
    channel.stderr.on('error', () => {});

    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      void this.finish(channel, code, signal);
    });
  }

  private failStart(channel: ServerChannel, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (channel.writable) {
      channel.stderr.write(`cloud-twin: cannot start command: ${message}\n`);
      channel.exit(127);
      channel.end();
    }
    this.becomeIdle();
  }

  private async finish(
    channel: ServerChannel,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    try {
      await Promise.all([flushed(channel, channel), flushed(channel.stderr, channel)]);
      if (channel.writable) {
        if (signal) {
          const name = signal.replace(/^SIG/, '');
          if (SSH_SIGNALS.has(name)) channel.exit(name, false, '');
          else channel.exit(128 + (osConstants.signals[signal] ?? 0));
        } else {
          channel.exit(code ?? 0);
        }
        channel.end();
      }
    } finally {
      if (this.child?.pid !== undefined) this.host.tracker.release(this.child.pid);
      this.becomeIdle();
    }
  }

  private becomeIdle(): void {
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Process groups a client's signal (or our hangup) goes to. */
  private signalTargets(): number[] {
    const pid = this.child?.pid;
    if (pid === undefined) return [];
    if (!this.viaScript) return [pid];
    // With a pty the command runs in its own session below `script` (below nsenter's child when
    // the VM is isolated); signal all of them.
    const procs = listProcesses();
    return [pid, ...(procs ? descendantsOf(pid, procs, 3).map((p) => p.pid) : [])];
  }

  /**
   * Pushes the requested window size to the pty. The pty appears only once `script` has started the
   * command, so a few retries cover a resize that arrives right after the shell request.
   */
  private applyWindowSize(retries: number): void {
    const pid = this.child?.pid;
    if (!this.pty || !this.viaScript || pid === undefined || !this.running) return;
    this.ptyDevice ??= findPtyDevice(pid);
    if (this.ptyDevice) {
      void resizePty(this.ptyDevice, this.pty);
    } else if (retries > 0) {
      setTimeout(() => this.applyWindowSize(retries - 1), 100).unref();
    }
  }
}
