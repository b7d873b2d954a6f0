/**
 * The Alibaba Cloud driver: the core's driver port on the official ECS SDK
 * (`@alicloud/ecs20140526`). The same code talks to Alibaba Cloud and to Cloud-Twin; only
 * `connection.endpoint` and the credentials differ.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { OperationError, ProviderError } from '@cloud-barista/core/errors';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { assembleDriver, capabilitiesOf, latencyOf, zoneOnce } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { createEcsClient, type EcsClient, secretsOf } from './client.js';
import type { AlibabaContext, AlibabaTuning } from './context.js';
import { toProviderError } from './errors.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createMcisFirewall } from './mcis-firewall.js';
import { createNetwork } from './network.js';
import { checkAlibabaPermissions } from './permissions.js';

export const ALIBABA_CAPABILITIES = capabilitiesOf('StopInstances (StoppedMode=StopCharging)');

export interface AlibabaDriverInternals {
  tuning?: Partial<AlibabaTuning>;
  /** Backoff bounds of the retry loop (tests shorten them). */
  backoff?: { minDelayMs: number; maxDelayMs: number };
}

export function buildAlibabaDriver(opts: DriverOptions, internals: AlibabaDriverInternals = {}): CloudDriver {
  const client = createEcsClient(opts.connection, opts.credentials);
  const secrets = secretsOf(opts.credentials);
  const policy = {
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    throttleWaitMs: opts.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
    ...(internals.backoff ?? { minDelayMs: 1_000, maxDelayMs: 20_000 }),
  };
  const call = <T>(fn: (ecs: EcsClient) => Promise<T>): Promise<T> =>
    withRetry(
      () => fn(client).catch((e: unknown) => Promise.reject(toProviderError(e, secrets))),
      (e) => ({ error: e, errorClass: e instanceof ProviderError ? e.errorClass : undefined }),
      policy,
    );
  const ctx: AlibabaContext = {
    connection: opts.connection,
    region: opts.connection.region,
    tuning: { dependencyWaitMs: 120_000, ...internals.tuning },
    call,
    zone: zoneOnce(opts.connection.zone, async () => {
      const out = await call((c) => c.describeZones(new Ecs.DescribeZonesRequest({ regionId: opts.connection.region })));
      const zones = (out.body?.zones?.zone ?? []).filter((z) => z.availableResourceCreation?.resourceTypes?.includes('Instance')).flatMap((z) => (z.zoneId ? [z.zoneId] : []));
      const first = zones.sort()[0];
      if (!first) throw new OperationError(`region ${opts.connection.region} reports no zone that sells instances`);
      return first;
    }),
  };
  return assembleDriver(ctx, {
    provider: 'alibaba',
    capabilities: ALIBABA_CAPABILITIES,
    parts: { catalog: createCatalog, network: createNetwork, keys: createKeyPairs, vms: createVms, firewall: createMcisFirewall },
    async ping() {
      const latencyMs = await latencyOf(() => call((c) => c.describeZones(new Ecs.DescribeZonesRequest({ regionId: opts.connection.region }))));
      return { region: opts.connection.region, latencyMs };
    },
    checkPermissions: () => checkAlibabaPermissions(ctx),
  });
}

export const createAlibabaDriver: DriverFactory = (opts) => buildAlibabaDriver(opts);

export { classifyAlibabaCode, toProviderError } from './errors.js';
export { ECS_STATUS_TO_STATUS, toVmStatus } from './states.js';
export { IMAGE_ALIASES } from './catalog.js';
