/** What the orchestrator needs from the outside world, injected so tests can pass fakes. */
import type { CredentialService } from '../credentials.js';
import type { DriverRegistry } from '../driver/port.js';
import type { EventSink } from '../events.js';
import type { ExecTransport } from '../exec/transport.js';
import type { HomePaths } from '../home.js';
import type { SFTPWrapper } from 'ssh2';
import type { SshExecResult, SshOutputSink, SshTarget } from '../ssh/executor.js';
import type { StateStore } from '../store/state-store.js';

/** Result of one remote command (the SSH executor's shape). */
export type ExecResult = SshExecResult;

/** The slice of the SSH executor the orchestrator uses (core's SshExecutor implements it). */
export interface SshRunner {
  /** With `output`, the output goes there as it arrives and the result's stdout and stderr are empty. */
  exec(target: SshTarget, command: string, opts?: { timeoutMs?: number; signal?: AbortSignal; stdin?: string; output?: SshOutputSink }): Promise<ExecResult>;
  /** Waits until the server answers and authenticates; pins its host key. */
  probe(target: SshTarget, opts: { maxWaitMs: number; signal?: AbortSignal }): Promise<unknown>;
}

/** File copy to and from VMs (core's SshExecutor implements it). */
export interface SftpRunner {
  /** Runs `fn` on an SFTP session to the target. */
  sftp<T>(target: SshTarget, fn: (sftp: SFTPWrapper) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T>;
}

export interface Timeouts {
  /** Max wait for VMs to reach Running after the create calls. */
  runningMs: number;
  /** Max wait for SSH to answer once a VM runs. */
  sshMs: number;
  /** Max wait for suspend/resume/reboot/terminate to settle. */
  actionMs: number;
  /** Delay between status polls (first; it backs off). */
  pollMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { runningMs: 15 * 60_000, sshMs: 5 * 60_000, actionMs: 15 * 60_000, pollMs: 500 };

export interface OrchestratorDeps {
  store: StateStore;
  home: HomePaths;
  drivers: DriverRegistry;
  credentials: CredentialService;
  ssh: SshRunner & SftpRunner;
  /** Drops pinned host keys of released addresses (terminated VMs). */
  forgetHostKey?: (host: string, port: number) => void;
  /**
   * How VMs are reached per provider (core's VmTransports): readiness of a VM whose driver owns
   * its transport (Docker) goes through it instead of an SSH probe of its address.
   */
  exec?: ExecTransport;
  timeouts?: Partial<Timeouts>;
}

/** Per-call options shared by every long operation. */
export interface RunOptions {
  events?: EventSink;
  signal?: AbortSignal;
}
