/** AWS prices through @aws-sdk/client-pricing against Cloud-Twin's Price List Query API, and item parsing. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type Connection } from '@cloud-barista/core';
import { awsOnDemandPrice, AWS_INSTANCE_TYPES, AWS_REGIONS, startTwin } from '@cloud-barista/twin';
import { createAwsDriver } from '../src/aws/index.js';
import { parsePriceItem } from '../src/aws/pricing.js';

type Twin = Awaited<ReturnType<typeof startTwin>>;
let twin: Twin;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'cb-drivers-pricing-'));
  twin = await startTwin({ stateDir, sshPort: 20_000 + Math.floor(Math.random() * 40_000), log: () => {}, faults: ['GetProducts:ThrottlingException:1#1'] });
});
afterAll(async () => {
  await twin.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function driver(region: string, maxAttempts?: number) {
  const connection: Connection = { name: 'p', provider: 'aws', region, endpoint: twin.endpoints.aws, sshPort: twin.sshPort, labels: {}, createdAt: new Date().toISOString() };
  return createAwsDriver({ connection, credentials: { kind: 'aws-keys', ...twin.credentials.aws }, ...(maxAttempts ? { maxAttempts } : {}) });
}

describe('AWS driver prices (Price List Query API)', () => {
  it('prices every instance type of the region, Linux on-demand, retrying throttling', async () => {
    const d = driver('eu-central-1');
    try {
      const out = await d.catalog.listPrices!();
      expect(out.source).toMatch(/^AWS Price List Query API GetProducts \(AmazonEC2 eu-central-1, Linux on-demand, published \d{4}-\d\d-\d\d\)$/);
      const region = AWS_REGIONS.find((r) => r.name === 'eu-central-1')!;
      expect(out.prices).toHaveLength(AWS_INSTANCE_TYPES.length);
      for (const t of AWS_INSTANCE_TYPES) expect(out.prices.find((p) => p.spec === t.name)?.pricePerHour).toBe(awsOnDemandPrice(t, region));
    } finally {
      d.close();
    }
  });

  it('fails with a ProviderError carrying the code when the API refuses', async () => {
    twin.faults.set(['GetProducts:AccessDeniedException:1']);
    const d = driver('us-east-1', 1);
    try {
      await expect(d.catalog.listPrices!()).rejects.toSatisfy((e) => e instanceof ProviderError && e.code === 'AccessDeniedException' && e.errorClass === 'auth');
    } finally {
      d.close();
      twin.faults.set([]);
    }
  });

  it('parses real price-list items: the hourly USD dimension, never a $0 one', () => {
    const item = {
      product: { productFamily: 'Compute Instance', attributes: { instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', gpu: '1' }, sku: 'ABC' },
      serviceCode: 'AmazonEC2',
      terms: {
        OnDemand: {
          'ABC.JRTCKXETXF': {
            priceDimensions: {
              'ABC.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: '0.5260000000' }, description: '$0.526 per On Demand Linux g4dn.xlarge Instance Hour' },
              'ABC.JRTCKXETXF.XXXX': { unit: 'Hrs', pricePerUnit: { USD: '0.0000000000' } },
            },
          },
        },
      },
      publicationDate: '2024-06-03T18:24:51Z',
    };
    expect(parsePriceItem(JSON.stringify(item))).toEqual({ spec: 'g4dn.xlarge', pricePerHour: 0.526, publicationDate: '2024-06-03T18:24:51Z' });
    expect(parsePriceItem(JSON.stringify({ product: { attributes: {} } }))).toBeUndefined();
  });
});
