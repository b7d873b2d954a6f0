/**
 * The OpenStack driver: the core's driver port on Keystone v3, Nova, Neutron and Glance through
 * a small fetch client (./client.ts). There is no official TypeScript SDK; this is what Libcloud
 * and gophercloud do. The same code talks to any OpenStack cloud and to Cloud-Twin; only the auth
 * URL and credential differ.
 */
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { resolveAuth } from './auth.js';
import { defined } from '@cloud-barista/core/util/defined';
import { assembleDriver, capabilitiesOf, latencyOf } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { OsClient } from './client.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createNetwork } from './network.js';
import { checkOpenStackPermissions } from './permissions.js';

// No client token in Nova: the token travels in server metadata and a tag, looked up before a launch.
export const OPENSTACK_CAPABILITIES = capabilitiesOf('os-stop (SHUTOFF: the server keeps its host resources; whether it is billed is the operator\'s policy)');

export interface OpenStackDriverInternals {
  fetch?: typeof fetch;
  pollIntervalMs?: number;
  parallelism?: number;
  renewBeforeMs?: number;
  minDelayMs?: number;
  env?: Record<string, string | undefined>;
}

export function buildOpenStackDriver(opts: DriverOptions, internals: OpenStackDriverInternals = {}): CloudDriver {
  const auth = resolveAuth(opts.connection, opts.credentials, internals.env ?? process.env);
  const client = new OsClient({
    auth,
    region: opts.connection.region,
    ...defined({ interface: auth.interface, maxAttempts: opts.maxAttempts, throttleWaitMs: opts.throttleWaitMs, fetch: internals.fetch, renewBeforeMs: internals.renewBeforeMs, minDelayMs: internals.minDelayMs }),
  });
  const vmTiming = { pollIntervalMs: internals.pollIntervalMs ?? 1_000, parallelism: internals.parallelism ?? 10 };
  return assembleDriver(client, {
    provider: 'openstack',
    capabilities: OPENSTACK_CAPABILITIES,
    parts: { catalog: (c) => createCatalog(c, opts.connection), network: createNetwork, keys: createKeyPairs, vms: (c) => createVms(c, vmTiming), firewall: createMcisFirewall },
    async ping() {
      // Authenticated, cheap, and proves the region: its compute endpoint answers.
      const latencyMs = await latencyOf(() => client.call('compute', 'GET', '/flavors?limit=1'));
      return { account: await client.projectId(), region: client.region, latencyMs };
    },
    checkPermissions: () => checkOpenStackPermissions(client),
  });
}

export const createOpenStackDriver: DriverFactory = (opts) => buildOpenStackDriver(opts);

export { OsClient } from './client.js';
export { toVmStatus, nativeStateOf, STATUS_TO_VM, TASK_TO_VM } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
