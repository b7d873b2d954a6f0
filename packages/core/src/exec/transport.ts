/**
 * The exec transport port: how the core runs a command on a VM, copies files to it, waits until it
 * answers and tells a user how to open a shell on it. SSH (exec/ssh.ts) reaches cloud VMs; a driver
 * whose machines are entered another way (Docker containers, through the Engine API's exec) brings
 * its own transport through its optional `exec` hook (driver/port.ts). The core picks one per VM in
 * orchestrator/vm-transports.ts, so every command on VMs works the same over either. A transport lives
 * as long as its owner (the core's SSH executor, or the driver, whose close() ends it).
 */
import type { Readable, Writable } from 'node:stream';
import type { SshTarget } from '../ssh/types.js';

/** One VM as a transport reaches it. Each transport reads the fields it needs. */
export interface ExecTarget {
  /** VM name, for messages. */
  vm: string;
  /** The connection it belongs to: a driver's transport serves its own connection's VMs. */
  connection: string;
  /** Its provider ('external' for registered machines): picks the transport. */
  provider: string;
  /** The VM's id at its provider (an instance id; a container id on Docker). */
  providerId?: string;
  /** The SSH login, when the VM has an address: what the SSH transport needs. */
  ssh?: SshTarget;
}

export interface ExecOptions {
  /** Sent to the command's stdin, then EOF. Without it the command reads EOF at once. */
  stdin?: string | Buffer | Readable;
  /** Limit for the whole operation (connect included); on expiry the command is killed and hung up. */
  timeoutMs?: number;
  /**
   * Variables for the command. The SSH transport exports them at the head of the command line,
   * where the VM's process list shows them: secrets go by stdin.
   */
  env?: Record<string, string>;
  /**
   * Each chunk of stdout as it arrives, instead of keeping it (the result's stdout is then empty):
   * output of any size passes through bounded memory. A returned promise holds the output back
   * until it settles, so a slow reader slows the command instead of filling memory.
   */
  onStdout?: (chunk: Buffer) => void | Promise<void>;
  /** The same for stderr. */
  onStderr?: (chunk: Buffer) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** The command's exit status; null if it died of a signal or none was reported. */
  exitCode: number | null;
  /** Signal that killed the command (e.g. `SIGKILL`), where the transport reports it. */
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface StreamOptions {
  /** Each chunk of the command's stdout, as it arrives (chunks do not respect line boundaries). */
  onStdout: (chunk: Buffer) => void;
  /** Each chunk of its stderr; the last 4 KiB are also in the result. */
  onStderr?: (chunk: Buffer) => void;
  /** Ends the stream: the command is killed and `stream` rejects with the reason. */
  signal?: AbortSignal;
  /** Hang up when no stdout arrives for this long (a suspended VM otherwise goes unnoticed). */
  idleTimeoutMs?: number;
  stdin?: string | Buffer;
}

export interface StreamResult {
  exitCode: number | null;
  signal?: string;
  /** The last 4 KiB of stderr, for error messages. */
  stderrTail: string;
  durationMs: number;
}

export interface ReadyOptions {
  /** Give up after this long (the VM may still be booting). */
  maxWaitMs: number;
  signal?: AbortSignal;
}

/** The terminal a built-in interactive session runs on. */
export interface ShellIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface Interactive {
  /** The command line a user runs for a shell on the VM (`ssh -i KEY -p PORT user@host`, `docker exec -it …`). */
  argv: string[];
  /** A session without argv[0] installed here (SSH: ssh2's own client); resolves to the exit status. */
  builtin?: (io: ShellIo) => Promise<number>;
}

export interface CopyOptions {
  /** Compare content (SHA-256) instead of size and modification time. */
  checksum?: boolean;
  /** After each file is copied or skipped. */
  onFile?: (done: { files: number; totalFiles: number; bytes: number; totalBytes: number }) => void;
  signal?: AbortSignal;
}

export interface CopyStats {
  /** Files in the source. */
  files: number;
  copied: number;
  skipped: number;
  /** Bytes sent or received. */
  bytes: number;
}

/**
 * File copy to and from a VM, one-way like `rsync -rt`: files whose size and mtime match are
 * skipped, so a re-run moves only what changed. Optional: a transport without it leaves `mcis cp`
 * and the manifest's `files` unavailable on its VMs (the core says so per VM).
 */
export interface FileCopy {
  /** Each local file or tree becomes its remote path, all over one session. */
  upload(target: ExecTarget, items: Array<{ local: string; remote: string }>, opts?: CopyOptions): Promise<CopyStats>;
  /** The remote file or tree becomes `local`. */
  download(target: ExecTarget, remote: string, local: string, opts?: CopyOptions): Promise<CopyStats>;
}

export interface ExecTransport {
  /** What it is, for messages ('SSH', 'docker exec'). */
  readonly kind: string;
  /**
   * Runs `command` through the VM's shell and collects its output. A non-zero exit is a result,
   * not an error. Rejects when the VM cannot be reached, on `timeoutMs` (an OperationError naming
   * the VM) and with the signal's reason on abort.
   */
  exec(target: ExecTarget, command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a long-lived command (a log tail, a metrics stream), handing stdout over as it arrives.
   * Unlike exec it holds no connection slot once running, so streams to many VMs starve nothing.
   */
  stream(target: ExecTarget, command: string, opts: StreamOptions): Promise<StreamResult>;
  /** Waits until commands can run on the VM (SSH: the server answers and accepts our key). */
  ready(target: ExecTarget, opts: ReadyOptions): Promise<void>;
  /** How a user opens a shell on the VM (`mcis ssh`). */
  interactive(target: ExecTarget): Promise<Interactive>;
  /** File copy, where the transport has it (SSH: SFTP). */
  readonly copy?: FileCopy;
}
