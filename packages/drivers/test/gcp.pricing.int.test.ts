/** GCP prices through @google-cloud/billing (CloudCatalogClient, REST) against Cloud-Twin's Cloud Billing Catalog API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcpOnDemandPrice } from '@cloud-barista/twin';
import { driverRegistry } from '../src/index.js';
import { pricesFrom, rateTable } from '../src/pricing/gcp-billing.js';
import { bootTwin, credentialFor, gcpConnection, twinKey, type Twin } from './gcp-twin.js';

let twin: Twin;
let booted: Awaited<ReturnType<typeof bootTwin>>;
beforeAll(async () => {
  booted = await bootTwin(20_000 + Math.floor(Math.random() * 40_000));
  twin = booted.twin;
});
afterAll(() => booted.close());

describe('GCP driver prices (Cloud Billing Catalog API)', () => {
  it('prices each machine type of the region from its family\'s per-vCPU and per-GiB SKUs', async () => {
    const factory = await driverRegistry.load('gcp');
    const key = twinKey(twin);
    for (const region of ['asia-northeast3', 'us-central1']) {
      const d = factory({ connection: gcpConnection(twin, { region, zone: `${region}-a` }), credentials: credentialFor(key.json) });
      try {
        const [specs, out] = await Promise.all([d.catalog.listSpecs(), d.catalog.listPrices!()]);
        expect(out.source).toMatch(/^Cloud Billing Catalog API \(services\/6F81-5844-456A SKUs, /);
        expect(out.prices.length).toBe(specs.length);
        for (const p of out.prices) expect(p.pricePerHour, p.spec).toBeCloseTo(gcpOnDemandPrice(p.spec, region)!, 4);
      } finally {
        d.close();
      }
    }
  });

  it('ignores Spot and other usage types; shared-core E2 bills a fraction of a vCPU', () => {
    const money = (usd: number) => [{ pricingExpression: { tieredRates: [{ unitPrice: { units: String(Math.floor(usd)), nanos: Math.round((usd % 1) * 1e9) } }] } }];
    const sku = (description: string, usageType: string, usd: number) => ({ description, category: { resourceFamily: 'Compute', usageType }, serviceRegions: ['us-central1'], pricingInfo: money(usd) });
    const table = rateTable([
      sku('E2 Instance Core running in Americas', 'OnDemand', 0.021811),
      sku('E2 Instance Ram running in Americas', 'OnDemand', 0.002923),
      sku('Spot Preemptible E2 Instance Core running in Americas', 'Preemptible', 0.0065),
      sku('Commitment v1: E2 Cpu in Americas for 1 Year', 'Commit1Yr', 0.01),
    ]);
    const prices = pricesFrom(table, 'us-central1', [
      { name: 'e2-micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64' },
      { name: 'e2-standard-2', vcpu: 2, memoryGiB: 8, arch: 'x86_64' },
      { name: 'n2-standard-2', vcpu: 2, memoryGiB: 8, arch: 'x86_64' },
    ]);
    expect(prices).toEqual([
      { spec: 'e2-micro', pricePerHour: 0.008376 },
      { spec: 'e2-standard-2', pricePerHour: 0.067006 },
    ]);
  });
});
