/** The twin's Cloud Billing Catalog API over HTTP, as Google's clients call it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceToken } from '../../test/gce.js';
import { startTestTwin, type TestTwin } from '../../test/helpers.js';
import { gcpOnDemandPrice } from '../data/gcp.js';
import type { Sku } from './gcp-skus.js';

let t: TestTwin;
beforeAll(async () => {
  t = await startTestTwin();
});
afterAll(() => t.cleanup());

const get = async (path: string, auth: boolean | string = true) =>
  fetch(`${t.twin.endpoints.gcp}${path}`, auth ? { headers: { authorization: `Bearer ${auth === true ? await gceToken(t.twin) : auth}` } } : {});
const usd = (s: Sku) => Number(s.pricingInfo[0]!.pricingExpression.tieredRates[0]!.unitPrice.units) + s.pricingInfo[0]!.pricingExpression.tieredRates[0]!.unitPrice.nanos / 1e9;

describe('Cloud Billing Catalog API', () => {
  it('lists Compute Engine SKUs in pages; per-vCPU and per-GiB rates give back the machine-type prices', async () => {
    const services = (await (await get('/v1/services')).json()) as { services: Array<{ serviceId: string; displayName: string }> };
    expect(services.services).toEqual([expect.objectContaining({ serviceId: '6F81-5844-456A', displayName: 'Compute Engine' })]);
    const skus: Sku[] = [];
    let token = '';
    let pages = 0;
    do {
      const body = (await (await get(`/v1/services/6F81-5844-456A/skus?currencyCode=USD&pageSize=200${token ? `&pageToken=${token}` : ''}`)).json()) as { skus: Sku[]; nextPageToken: string };
      skus.push(...body.skus);
      token = body.nextPageToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    const inSeoul = (d: string) => skus.find((s) => s.description === d && s.serviceRegions.includes('asia-northeast3') && s.category.usageType === 'OnDemand')!;
    const core = usd(inSeoul('E2 Instance Core running in Seoul'));
    const ram = usd(inSeoul('E2 Instance Ram running in Seoul'));
    expect(inSeoul('E2 Instance Ram running in Seoul').pricingInfo[0]!.pricingExpression.usageUnit).toBe('GiBy.h');
    expect(2 * core + 8 * ram).toBeCloseTo(gcpOnDemandPrice('e2-standard-2', 'asia-northeast3')!, 5);
    expect(0.25 * core + 1 * ram).toBeCloseTo(gcpOnDemandPrice('e2-micro', 'asia-northeast3')!, 5);
    expect(usd(inSeoul('Micro Instance with burstable CPU running in Seoul'))).toBeCloseTo(gcpOnDemandPrice('f1-micro', 'asia-northeast3')!, 5);
    expect(skus.some((s) => s.category.usageType === 'Preemptible')).toBe(true);
    // A GPU machine type: family vCPU and GiB rates plus its GPUs at their own SKU (resource group GPU).
    const l4 = inSeoul('Nvidia L4 GPU running in Seoul');
    expect(l4.category.resourceGroup).toBe('GPU');
    const g2 = 24 * usd(inSeoul('G2 Instance Core running in Seoul')) + 96 * usd(inSeoul('G2 Instance Ram running in Seoul')) + 2 * usd(l4);
    expect(g2).toBeCloseTo(gcpOnDemandPrice('g2-standard-24', 'asia-northeast3')!, 5);
    // No GPU SKU where no type has that GPU (no A3 in Seoul, no GPUs at all in Taiwan).
    expect(skus.some((s) => s.description.startsWith('Nvidia H100') && s.serviceRegions.includes('asia-northeast3'))).toBe(false);
    expect(skus.some((s) => s.category.resourceGroup === 'GPU' && s.serviceRegions.includes('asia-east1'))).toBe(false);
  });

  it('answers Google error JSON', async () => {
    const unauth = await get('/v1/services/6F81-5844-456A/skus', false);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const forged = await get('/v1/services/6F81-5844-456A/skus', 'ya29.not-issued-by-the-twin');
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] } });
    expect((await get('/v1/services?key=AIzaSyA-any-key', false)).status).toBe(400);
    expect((await get('/v1/services/0000-0000-0000/skus')).status).toBe(404);
    expect((await get('/v1/services/6F81-5844-456A/skus?pageToken=bogus')).status).toBe(400);
  });
});
