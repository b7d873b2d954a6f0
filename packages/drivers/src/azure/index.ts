/**
 * The Azure driver: the core's driver port on @azure/arm-compute, -network and -resources with
 * @azure/identity. The same code talks to Azure and to Cloud-Twin; only the connection's endpoint,
 * authority host, CA file and the credentials differ.
 */
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { defined } from '@cloud-barista/core/util/defined';
import { assembleDriver, capabilitiesOf, latencyOf } from '../common/driver.js';
import { createCatalog, locationName } from './catalog.js';
import { createAzureClients, type HttpClient, secretsOf, type TokenCredential } from './client.js';
import { all, az, type AzureContext, type AzureTuning, resourceGroupOf } from './context.js';
import { createFirewall } from './firewall.js';
import { createVms } from './instances.js';
import { createNetwork } from './network.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { checkAzurePermissions } from './permissions.js';

// Creates are idempotent by name (derived from the client token), not by a token the API takes.
export const AZURE_CAPABILITIES = capabilitiesOf('deallocate (a VM that is only stopped keeps billing for compute; a deallocated one does not)');

export interface AzureDriverInternals {
  /** A replaying HttpClient for tests. */
  httpClient?: HttpClient;
  /** A static credential for tests that replay recorded responses. */
  credential?: TokenCredential;
  tuning?: Partial<AzureTuning>;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** Builds the driver; `internals` exist for tests and tuning, not for any particular endpoint. */
export function buildAzureDriver(opts: DriverOptions, internals: AzureDriverInternals = {}): CloudDriver {
  const clients = createAzureClients({
    connection: opts.connection,
    credentials: opts.credentials,
    ...defined({
      maxAttempts: opts.maxAttempts,
      throttleWaitMs: opts.throttleWaitMs,
      httpClient: internals.httpClient,
      credential: internals.credential,
      retryDelayMs: internals.retryDelayMs,
      maxRetryDelayMs: internals.maxRetryDelayMs,
    }),
  });
  const ctx: AzureContext = {
    clients,
    connection: opts.connection,
    resourceGroup: resourceGroupOf(opts.connection),
    location: locationName(opts.connection.region),
    tuning: { pollIntervalMs: 2_000, parallelism: 20, ...internals.tuning },
    secrets: secretsOf(opts.credentials),
  };
  return assembleDriver(ctx, {
    provider: 'azure',
    capabilities: AZURE_CAPABILITIES,
    parts: { catalog: createCatalog, network: [createNetwork, createFirewall], vms: createVms, firewall: createMcisFirewall },
    async ping() {
      // Authenticated, cheap, and proves the region: the sizes offered there.
      const latencyMs = await latencyOf(() => az(ctx, () => all(clients.compute.virtualMachineSizes.list(ctx.location))));
      return { account: clients.subscription, region: ctx.location, latencyMs };
    },
    checkPermissions: () => checkAzurePermissions(ctx),
    close: () => clients.close(),
  });
}

export const createAzureDriver: DriverFactory = (opts) => buildAzureDriver(opts);

export { classifyAzureCode, toProviderError } from './errors.js';
export { POWER_TO_STATUS, PROVISIONING_TO_STATUS, nativeStateOf, toVmStatus } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
