/** dockerode for one connection: its endpoint resolved, every call retried and its errors typed. */
import Dockerode from 'dockerode';
import type { Connection } from '@cloud-barista/core/model';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { type DockerEndpoint, modemOptions, resolveEndpoint } from './endpoint.js';
import { classifyDocker } from './errors.js';

export interface HostInfo {
  Name: string;
  NCPU: number;
  MemTotal: number;
  Architecture?: string;
  ServerVersion?: string;
}

export interface DockerClientOptions {
  connection: Pick<Connection, 'endpoint' | 'context'>;
  env?: Record<string, string | undefined>;
  maxAttempts?: number | undefined;
  throttleWaitMs?: number | undefined;
  minDelayMs?: number;
}

export class DockerClient {
  readonly docker: Dockerode;
  readonly endpoint: DockerEndpoint;
  private info?: Promise<HostInfo>;

  constructor(private readonly o: DockerClientOptions) {
    this.endpoint = resolveEndpoint(o.connection, o.env);
    this.docker = new Dockerode(modemOptions(this.endpoint, o.env));
  }

  /** Runs `fn` against the daemon: transient failures retried, errors as ProviderError. */
  call<T>(fn: (d: Dockerode) => Promise<T>): Promise<T> {
    return withRetry(() => fn(this.docker), classifyDocker, {
      maxAttempts: this.o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      minDelayMs: this.o.minDelayMs ?? 200,
      maxDelayMs: 5_000,
      throttleWaitMs: this.o.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
    });
  }

  /** The daemon's `/info` (host name, CPUs, memory), asked once per driver. */
  hostInfo(): Promise<HostInfo> {
    this.info ??= this.call((d) => d.info() as Promise<HostInfo>).catch((e: unknown) => {
      this.info = undefined;
      throw e;
    });
    return this.info;
  }
}
