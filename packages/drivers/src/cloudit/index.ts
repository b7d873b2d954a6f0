/**
 * The Cloudit driver: the core's driver port on Cloudit's IAM, ACE and DNA REST APIs through a
 * small fetch client (./client.ts). Cloudit (Innogrid's private cloud) has no SDK; the paths,
 * fields and states follow CB-Spider's Cloudit driver, the public record of that API. The
 * connection's region is a Cloudit cluster; its endpoint (else the credential's) is the identity
 * endpoint the API paths start under.
 */
import type { CloudDriver, DriverCapabilities, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { createCatalog } from './catalog.js';
import { CiClient } from './client.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createNetwork } from './network.js';

export const CLOUDIT_CAPABILITIES: DriverCapabilities = {
  unsupported: {},
  suspendMethod: 'shutdown (Stopped: the server keeps its disk and adaptive IP)',
  // No client token in Cloudit: the token travels in the server's description and is looked up before a launch.
  idempotentCreate: true,
};

export interface ClouditDriverInternals {
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  parallelism?: number;
  renewBeforeMs?: number;
  minDelayMs?: number;
}

export function buildClouditDriver(opts: DriverOptions, internals: ClouditDriverInternals = {}): CloudDriver {
  const c = opts.credentials;
  if (c.kind !== 'cloudit-password') {
    throw new UsageError(`a Cloudit connection needs a cloudit-password credential, not ${c.kind}`, { hint: 'cbadm credential add NAME --provider cloudit --kind cloudit-password --auth-url URL --username ID --tenant-id TENANT --secret-stdin' });
  }
  const client = new CiClient({
    endpoint: opts.connection.endpoint ?? c.identityEndpoint,
    username: c.username,
    password: c.password,
    tenantId: c.tenantId,
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.throttleWaitMs !== undefined ? { throttleWaitMs: opts.throttleWaitMs } : {}),
    ...(internals.fetch ? { fetch: internals.fetch } : {}),
    ...(internals.renewBeforeMs !== undefined ? { renewBeforeMs: internals.renewBeforeMs } : {}),
    ...(internals.minDelayMs !== undefined ? { minDelayMs: internals.minDelayMs } : {}),
  });
  const cluster = opts.connection.zone ?? opts.connection.region;
  return {
    provider: 'cloudit',
    capabilities: CLOUDIT_CAPABILITIES,
    catalog: createCatalog(client, opts.connection),
    network: createNetwork(client, cluster),
    keys: createKeyPairs(),
    firewall: createMcisFirewall(client),
    vms: createVms(client, { cluster, pollIntervalMs: internals.pollIntervalMs ?? 1_000, parallelism: internals.parallelism ?? 10 }),
    async ping() {
      const started = performance.now();
      // Authenticated, cheap, and proves the region: the cluster is one the tenant sees.
      const clusters = await client.call<{ name: string }[]>('ace', 'GET', '/clusters');
      if (!clusters.some((x) => x.name === cluster)) {
        throw new UsageError(`Cloudit has no cluster '${cluster}' for this tenant`, { hint: `the connection's region names a cluster: one of ${clusters.map((x) => x.name).join(', ')}` });
      }
      return { account: client.tenantId, region: opts.connection.region, latencyMs: Math.round(performance.now() - started) };
    },
    close() {},
  };
}

export const createClouditDriver: DriverFactory = (opts) => buildClouditDriver(opts);

export { CiClient } from './client.js';
export { toVmStatus, STATE_TO_VM } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
