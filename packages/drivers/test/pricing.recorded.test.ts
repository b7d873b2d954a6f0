/**
 * The price parsers against answers in the real APIs' shapes (test/fixtures/pricing, written from
 * each API's public documentation), not against Cloud-Twin's own price generator: AWS and Azure go
 * through their real clients over loopback HTTP, GCP's SKUs through the rate table.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, Spec } from '@cloud-barista/core';
import { listAwsPrices } from '../src/aws/pricing.js';
import { listAzurePrices } from '../src/pricing/azure-retail.js';
import { pricesFrom, rateTable, type SkuLike } from '../src/pricing/gcp-billing.js';

const recorded = (name: string) => readFileSync(new URL(`./fixtures/pricing/${name}`, import.meta.url), 'utf8');

let server: Server;
let base = '';
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url ?? '/', base);
    req.resume();
    if (req.method === 'POST' && req.headers['x-amz-target'] === 'AWSPriceListService.GetProducts') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      return res.end(recorded('aws-getproducts-ec2-apn2.json'));
    }
    if (req.method === 'GET' && url.pathname === '/api/retail/prices') {
      const page = url.searchParams.get('$skip') ? 2 : 1;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return res.end(recorded(`azure-retail-koreacentral-${page}.json`).replaceAll('{{base}}', base));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const connection = (provider: 'aws' | 'azure', region: string): Connection => ({
  name: `${provider}-recorded`,
  provider,
  region,
  endpoint: base,
  sshPort: 22,
  labels: {},
  createdAt: '2024-11-05T00:00:00Z',
});

describe('recorded pricing answers', () => {
  it('AWS GetProducts: the on-demand hourly USD of each instance type; Reserved terms and $0 rows ignored', async () => {
    const out = await listAwsPrices({
      connection: connection('aws', 'ap-northeast-2'),
      credentials: { kind: 'aws-keys', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    expect(Object.fromEntries(out.prices.map((p) => [p.spec, p.pricePerHour]))).toEqual({ 't3.small': 0.026, 't3.medium': 0.052, 'm5.large': 0.118 });
    expect(out.source).toBe('AWS Price List Query API GetProducts (AmazonEC2 ap-northeast-2, Linux on-demand, published 2024-11-05)');
  });

  it('Azure Retail Prices: Linux pay-as-you-go per size over two pages; Spot, Low Priority, Windows, DevTest, Reservation and $0 rows ignored', async () => {
    const out = await listAzurePrices(connection('azure', 'koreacentral'));
    expect(Object.fromEntries(out.prices.map((p) => [p.spec, p.pricePerHour]))).toEqual({ Standard_D2s_v3: 0.112, Standard_B2s: 0.0496 });
    const pages = seen.filter((r) => r.url?.startsWith('/api/retail/prices'));
    expect(pages).toHaveLength(2);
  });

  it('Cloud Billing Catalog: core × vCPU + RAM × GiB (+ GPUs) from OnDemand SKUs of the region only', () => {
    const { skus } = JSON.parse(recorded('gcp-billing-compute-skus.json')) as { skus: SkuLike[] };
    const table = rateTable(skus);
    const spec = (name: string, vcpu: number, memoryGiB: number, gpu?: Spec['gpu']): Spec => ({ name, vcpu, memoryGiB, ...(gpu ? { gpu } : {}) }) as Spec;
    const specs = [spec('e2-standard-2', 2, 8), spec('e2-small', 2, 2), spec('n1-standard-4', 4, 15), spec('n2-standard-2', 2, 8)];
    expect(Object.fromEntries(pricesFrom(table, 'asia-northeast3', specs).map((p) => [p.spec, p.pricePerHour]))).toEqual({
      'e2-standard-2': 0.084492, // 2 × 0.027502 + 8 × 0.003686
      'e2-small': 0.021123, // a shared core bills half a vCPU: 0.5 × 0.027502 + 2 × 0.003686
      'n1-standard-4': 0.243447, // 4 × 0.040503 + 15 × 0.005429
    });
    // Preemptible and commitment SKUs never lower the on-demand rate.
    expect(table.get('asia-northeast3')?.get('E2 Instance Core')).toBe(0.027502);
    // A multi-region SKU lands in each of its regions.
    expect(table.get('us-east1')?.get('E2 Instance Core')).toBe(0.02181159);
  });
});
