/** What every resource module of the Azure driver shares. */
import type { Connection } from '@cloud-barista/core/model';
import type { AzureClients } from './client.js';
import { toProviderError } from './errors.js';

export interface AzureTuning {
  /** Poll interval of long-running operations (the SDK's default is 2 s; Retry-After wins). */
  pollIntervalMs: number;
  /** VMs worked on at once by terminate (each is a chain of deletes). */
  parallelism: number;
}

export interface AzureContext {
  readonly clients: AzureClients;
  readonly connection: Connection;
  /** The connection's resource group: `connection.resourceGroup` or `cb-<connection>`. */
  readonly resourceGroup: string;
  /** The region as ARM spells it (lower case, no spaces). */
  readonly location: string;
  readonly tuning: AzureTuning;
  readonly secrets: readonly string[];
}

export function resourceGroupOf(conn: Connection): string {
  return conn.resourceGroup ?? `cb-${conn.name}`;
}

/** Runs one SDK call (or a sequence); anything it throws becomes a core ProviderError. */
export async function az<T>(ctx: AzureContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toProviderError(e, ctx.secrets);
  }
}

/** Every item of a paged listing (the SDK follows nextLink). */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Polling options for the SDK's pollers. */
export function lro(ctx: AzureContext): { updateIntervalInMs: number } {
  return { updateIntervalInMs: ctx.tuning.pollIntervalMs };
}
