/**
 * The AWS driver: the core's driver port on `@aws-sdk/client-ec2`. The same code talks to real AWS
 * and to Cloud-Twin; only `connection.endpoint` and the credentials differ.
 */
import { DescribeAvailabilityZonesCommand, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { defined } from '@cloud-barista/core/util/defined';
import { assembleDriver, capabilitiesOf, latencyOf } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { createEc2Client, secretsOf } from './client.js';
import { withPermissionHint } from './errors.js';
import type { AwsContext, AwsTuning } from './context.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createFirewall } from './firewall.js';
import { createNetwork } from './network.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { checkAwsPermissions } from './permissions.js';

export const AWS_CAPABILITIES = capabilitiesOf('StopInstances (EBS-backed)');

export interface AwsDriverInternals {
  /** Low-level EC2 client settings, e.g. a requestHandler replaying recorded responses. */
  client?: Partial<EC2ClientConfig>;
  tuning?: Partial<AwsTuning>;
  /** Backoff bounds for throttled calls after the SDK's own retries. */
  throttleBackoff?: { minDelayMs: number; maxDelayMs: number };
}

/** Builds the driver; `internals` exist for tests and tuning, not for any particular endpoint. */
export function buildAwsDriver(opts: DriverOptions, internals: AwsDriverInternals = {}): CloudDriver {
  const params = {
    connection: opts.connection,
    credentials: opts.credentials,
    ...defined({
      maxAttempts: opts.maxAttempts,
      throttleWaitMs: opts.throttleWaitMs,
      throttleBackoff: internals.throttleBackoff,
      overrides: internals.client,
    }),
  };
  const client = createEc2Client(params);
  const secrets = secretsOf(opts.credentials);
  // A denied call names the permission to grant: the middleware knows which action it was.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        throw withPermissionHint(e, context.commandName?.replace(/Command$/, ''), secrets);
      }
    },
    { step: 'initialize', name: 'cbPermissionHintMiddleware', priority: 'high' },
  );
  const ctx: AwsContext = {
    client,
    connection: opts.connection,
    tuning: { dependencyWaitMs: 60_000, ...internals.tuning },
    clientFor: (region) => createEc2Client({ ...params, region }),
  };
  // Prices come from another AWS service (the Price List Query API): its SDK loads only when asked.
  const pricedCatalog = (c: AwsContext) => ({ ...createCatalog(c), listPrices: () => import('./pricing.js').then((m) => m.listAwsPrices(params)) });
  return assembleDriver(ctx, {
    provider: 'aws',
    capabilities: AWS_CAPABILITIES,
    parts: { catalog: pricedCatalog, network: [createNetwork, createFirewall], keys: createKeyPairs, vms: createVms, firewall: createMcisFirewall },
    async ping() {
      return { region: opts.connection.region, latencyMs: await latencyOf(() => client.send(new DescribeAvailabilityZonesCommand({}))) };
    },
    checkPermissions: (catalog) => checkAwsPermissions(client, catalog),
    close: () => client.destroy(),
  });
}

export const createAwsDriver: DriverFactory = (opts) => buildAwsDriver(opts);

export { classifyAwsCode, toProviderError } from './errors.js';
export { EC2_STATE_TO_STATUS, toVmStatus } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
