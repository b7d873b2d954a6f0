/** What the orchestrator needs from the outside world, injected so tests can pass fakes. */
import type { CredentialService } from '../credentials.js';
import type { DriverRegistry } from '../driver/port.js';
import type { EventSink } from '../events.js';
import type { HomePaths } from '../home.js';
import type { SshBackend } from '../exec/ssh.js';
import type { ExecResult as TransportExecResult } from '../exec/transport.js';
import type { StateStore } from '../store/state-store.js';
import type { VmTransports } from './vm-transports.js';

/** Result of one remote command (the exec transport's shape). */
export type ExecResult = TransportExecResult;

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
  /** The SSH client (core's SshExecutor): VMs are reached over it unless their driver brings a transport. */
  ssh: SshBackend;
  /** How each VM is reached; made from `ssh` and `drivers` on first use when absent (transportsOf). */
  transports?: VmTransports;
  /** Drops pinned host keys of released addresses (terminated VMs). */
  forgetHostKey?: (host: string, port: number) => void;
  timeouts?: Partial<Timeouts>;
}

/** Per-call options shared by every long operation. */
export interface RunOptions {
  events?: EventSink;
  signal?: AbortSignal;
}
