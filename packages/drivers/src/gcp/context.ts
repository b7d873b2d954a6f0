/** What every resource module of the GCP driver shares. */
import type { Connection } from '@cloud-barista/core/model';
import type { ComputeClients } from './client.js';

export interface GcpTuning {
  /** How long a delete retries while dependants are going away (instances release subnets late). */
  dependencyWaitMs: number;
  /** Upper bound on waiting for one operation. */
  operationWaitMs: number;
  /** Concurrent calls when acting on many VMs. */
  actionParallelism: number;
}

export interface GcpContext {
  readonly clients: ComputeClients;
  readonly connection: Connection;
  readonly region: string;
  readonly tuning: GcpTuning;
  project(): Promise<string>;
  /** The connection's zone, else the region's first zone (looked up once). */
  zone(): Promise<string>;
  /** Runs one API call with retries on throttling and transient failures; throws ProviderError. */
  call<T>(fn: () => Promise<T>): Promise<T>;
}
