/**
 * The GCP driver: the core's driver port on `@google-cloud/compute` over its REST transport. The
 * same code talks to Google and to Cloud-Twin; only `connection.endpoint` (and `caFile`) and the
 * credentials (a key whose token_uri names the token server) differ.
 */
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { OperationError } from '@cloud-barista/core/errors';
import { gcpAuth, type FetchLike } from './auth.js';
import { createCatalog } from './catalog.js';
import { computeClients, type ClientOverrides } from './client.js';
import type { GcpContext, GcpTuning } from './context.js';
import { createFirewall } from './firewall.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createVms } from './instances.js';
import { createNetwork } from './network.js';
import { lastSegment } from './operations.js';
import { checkGcpPermissions } from './permissions.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { GCP_BACKOFF, gcpFailure } from './retry.js';
import { assembleDriver, capabilitiesOf, latencyOf, zoneOnce } from '../common/driver.js';

export const GCP_CAPABILITIES = capabilitiesOf('instances.stop (GCE TERMINATED: stopped, disks kept, no vCPU or memory charge); not instances.suspend');

export interface GcpDriverInternals {
  /** The HTTP `fetch` under the SDK and the token client (tests replay recorded responses). */
  fetch?: FetchLike;
  /** Extra Compute client options (tests); never endpoint-specific behaviour. */
  client?: ClientOverrides;
  tuning?: Partial<GcpTuning>;
  /** Backoff bounds for throttled and transient failures. */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
}

/** Builds the driver; `internals` exist for tests and tuning, not for any particular endpoint. */
export function buildGcpDriver(opts: DriverOptions, internals: GcpDriverInternals = {}): CloudDriver {
  const connection = opts.connection;
  const auth = gcpAuth(connection, opts.credentials, internals.fetch);
  const clients = computeClients(connection, auth, internals.client);
  const policy = {
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    minDelayMs: internals.retry?.minDelayMs ?? GCP_BACKOFF.minDelayMs,
    maxDelayMs: internals.retry?.maxDelayMs ?? GCP_BACKOFF.maxDelayMs,
    throttleWaitMs: opts.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
  };
  const classify = (e: unknown) => gcpFailure(e, auth.secrets);
  const ctx: GcpContext = {
    clients,
    connection,
    region: connection.region,
    tuning: { dependencyWaitMs: 120_000, operationWaitMs: 600_000, actionParallelism: 16, ...internals.tuning },
    project: () => auth.project(),
    call: async (fn) => {
      await auth.ready();
      return withRetry(fn, classify, policy);
    },
    zone: zoneOnce(connection.zone, async () => {
      const project = await auth.project();
      const [r] = await withRetry(() => clients.regions.get({ project, region: connection.region }), classify, policy);
      const first = (r.zones ?? []).flatMap((z) => lastSegment(z) ?? []).sort()[0];
      if (!first) throw new OperationError(`region ${connection.region} reports no zone`);
      return first;
    }),
  };
  return assembleDriver(ctx, {
    provider: 'gcp',
    capabilities: GCP_CAPABILITIES,
    parts: { catalog: createCatalog, network: [createNetwork, createFirewall], vms: createVms, firewall: createMcisFirewall },
    async ping() {
      const project = await auth.project();
      // Build the client first: parsing the API's protos is not latency.
      void clients.regions;
      // A cheap authenticated read of the connection's own region: proves token, project and region.
      const latencyMs = await latencyOf(() => ctx.call(() => clients.regions.get({ project, region: connection.region })));
      return { account: auth.account ? `${auth.account} (${project})` : project, region: connection.region, latencyMs };
    },
    checkPermissions: () => checkGcpPermissions(connection, auth, (fn) => ctx.call(fn)),
    close: () => clients.close(),
  });
}

export const createGcpDriver: DriverFactory = (opts) => buildGcpDriver(opts);

export { classifyGcpCode, toProviderError } from './errors.js';
export { GCE_STATUS_TO_STATUS, toVmStatus } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
