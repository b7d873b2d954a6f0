/** What every resource module of the Alibaba driver shares. */
import type { Connection } from '@cloud-barista/core/model';
import type { EcsClient } from './client.js';

export interface AlibabaTuning {
  /** How long deletes retry DependencyViolation (deleted instances release VSwitches late). */
  dependencyWaitMs: number;
}

export interface AlibabaContext {
  readonly connection: Connection;
  readonly region: string;
  readonly tuning: AlibabaTuning;
  /** Runs one SDK call with retries on throttling and transient failures; throws ProviderError. */
  call<T>(fn: (ecs: EcsClient) => Promise<T>): Promise<T>;
  /** The connection's zone, else the region's first zone that sells instances (looked up once). */
  zone(): Promise<string>;
}
