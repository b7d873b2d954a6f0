/**
 * The Cloudit driver: the core's driver port on Cloudit's IAM, ACE and DNA REST APIs through a
 * small fetch client (./client.ts). Cloudit (Innogrid's private cloud) has no SDK; the paths,
 * fields and states follow CB-Spider's Cloudit driver, the public record of that API. The
 * connection's region is a Cloudit cluster; its endpoint (else the credential's) is the identity
 * endpoint the API paths start under.
 */
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { defined } from '@cloud-barista/core/util/defined';
import { assembleDriver, capabilitiesOf, timed } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { CiClient } from './client.js';
import { createVms } from './instances.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createNetwork } from './network.js';

// No client token in Cloudit: the token travels in the server's description and is looked up before a launch.
export const CLOUDIT_CAPABILITIES = capabilitiesOf('shutdown (Stopped: the server keeps its disk and adaptive IP)');

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
    ...defined({ maxAttempts: opts.maxAttempts, throttleWaitMs: opts.throttleWaitMs, fetch: internals.fetch, renewBeforeMs: internals.renewBeforeMs, minDelayMs: internals.minDelayMs }),
  });
  const cluster = opts.connection.zone ?? opts.connection.region;
  const vmTiming = { cluster, pollIntervalMs: internals.pollIntervalMs ?? 1_000, parallelism: internals.parallelism ?? 10 };
  return assembleDriver(client, {
    provider: 'cloudit',
    capabilities: CLOUDIT_CAPABILITIES,
    parts: { catalog: (x) => createCatalog(x, opts.connection), network: (x) => createNetwork(x, cluster), vms: (x) => createVms(x, vmTiming), firewall: createMcisFirewall },
    async ping() {
      // Authenticated, cheap, and proves the region: the cluster is one the tenant sees.
      const { value: clusters, latencyMs } = await timed(() => client.call<{ name: string }[]>('ace', 'GET', '/clusters'));
      if (!clusters.some((x) => x.name === cluster)) {
        throw new UsageError(`Cloudit has no cluster '${cluster}' for this tenant`, { hint: `the connection's region names a cluster: one of ${clusters.map((x) => x.name).join(', ')}` });
      }
      return { account: client.tenantId, region: opts.connection.region, latencyMs };
    },
  });
}

export const createClouditDriver: DriverFactory = (opts) => buildClouditDriver(opts);

export { CiClient } from './client.js';
export { toVmStatus, STATE_TO_VM } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
