/**
 * The OpenStack driver: the core's driver port on Keystone v3, Nova, Neutron and Glance through
 * a small fetch client (./client.ts). There is no official TypeScript SDK; this is what Libcloud
 * and gophercloud do. The same code talks to any OpenStack cloud and to Cloud-Twin; only the auth
 * URL and credential differ.
 */
import type { CloudDriver, DriverCapabilities, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { resolveAuth } from './auth.js';
import { latencyOf } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { OsClient } from './client.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createNetwork } from './network.js';
import { checkOpenStackPermissions } from './permissions.js';

export const OPENSTACK_CAPABILITIES: DriverCapabilities = {
  unsupported: {},
  suspendMethod: 'os-stop (SHUTOFF: the server keeps its host resources; whether it is billed is the operator\'s policy)',
  // No client token in Nova: the token travels in server metadata and a tag, looked up before a launch.
  idempotentCreate: true,
};

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
    ...(auth.interface ? { interface: auth.interface } : {}),
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.throttleWaitMs !== undefined ? { throttleWaitMs: opts.throttleWaitMs } : {}),
    ...(internals.fetch ? { fetch: internals.fetch } : {}),
    ...(internals.renewBeforeMs !== undefined ? { renewBeforeMs: internals.renewBeforeMs } : {}),
    ...(internals.minDelayMs !== undefined ? { minDelayMs: internals.minDelayMs } : {}),
  });
  return {
    provider: 'openstack',
    capabilities: OPENSTACK_CAPABILITIES,
    catalog: createCatalog(client, opts.connection),
    network: createNetwork(client),
    keys: createKeyPairs(client),
    firewall: createMcisFirewall(client),
    vms: createVms(client, { pollIntervalMs: internals.pollIntervalMs ?? 1_000, parallelism: internals.parallelism ?? 10 }),
    async ping() {
      // Authenticated, cheap, and proves the region: its compute endpoint answers.
      const latencyMs = await latencyOf(() => client.call('compute', 'GET', '/flavors?limit=1'));
      return { account: await client.projectId(), region: client.region, latencyMs };
    },
    checkPermissions: () => checkOpenStackPermissions(client),
    close() {},
  };
}

export const createOpenStackDriver: DriverFactory = (opts) => buildOpenStackDriver(opts);

export { OsClient } from './client.js';
export { toVmStatus, nativeStateOf, STATUS_TO_VM, TASK_TO_VM } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
