/** The twin's AWS Price List Query API through the real @aws-sdk/client-pricing. */
import { DescribeServicesCommand, GetProductsCommand, PricingClient, paginateGetProducts, type Filter } from '@aws-sdk/client-pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2Error, startTestTwin, type TestTwin } from '../../test/helpers.js';
import { findInstanceType, findRegion, onDemandPrice } from '../data/aws.js';

let t: TestTwin;
const clients: PricingClient[] = [];
function client(region = 'us-east-1', credentials = t.twin.credentials.aws): PricingClient {
  const c = new PricingClient({ region, endpoint: t.twin.endpoints.aws, credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestTwin({ faults: ['GetProducts:ThrottlingException:1@eu-central-1#1'] });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await t.cleanup();
});

const linuxIn = (region: string): Filter[] => [
  { Type: 'TERM_MATCH', Field: 'regionCode', Value: region },
  { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
  { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
  { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
  { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
];

interface Item {
  product: { attributes: Record<string, string>; sku: string };
  terms: { OnDemand: Record<string, { priceDimensions: Record<string, { unit: string; pricePerUnit: { USD: string } }> }> };
}

describe('AWS Price List Query API', () => {
  it('verifies the SigV4 signature: a wrong secret and an unknown key are refused in the JSON protocol\'s shape', async () => {
    const call = (credentials: { accessKeyId: string; secretAccessKey: string }) => client('us-east-1', credentials).send(new DescribeServicesCommand({ ServiceCode: 'AmazonEC2' }));
    const wrong = await ec2Error(call({ ...t.twin.credentials.aws, secretAccessKey: 'not-the-secret' }));
    expect(wrong).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(wrong.message).toMatch(/signature we calculated does not match/);
    expect(await ec2Error(call({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: t.twin.credentials.aws.secretAccessKey }))).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    expect((await call(t.twin.credentials.aws)).Services?.[0]?.ServiceCode).toBe('AmazonEC2');
  });

  it('pages through a region\'s Linux on-demand prices as JSON strings, with real attribute names', async () => {
    const items: Item[] = [];
    let pages = 0;
    for await (const page of paginateGetProducts({ client: client(), pageSize: 10 }, { ServiceCode: 'AmazonEC2', Filters: linuxIn('ap-northeast-2'), FormatVersion: 'aws_v1' })) {
      pages++;
      expect(page.FormatVersion).toBe('aws_v1');
      for (const s of page.PriceList ?? []) items.push(JSON.parse(String(s)) as Item);
    }
    expect(pages).toBeGreaterThan(2);
    expect(items.length).toBeGreaterThan(20);
    const t3 = items.find((i) => i.product.attributes.instanceType === 't3.micro')!;
    expect(t3.product.attributes).toMatchObject({ vcpu: '2', memory: '1 GiB', location: 'Asia Pacific (Seoul)', usagetype: 'APN2-BoxUsage:t3.micro', operatingSystem: 'Linux' });
    const dims = Object.values(Object.values(t3.terms.OnDemand)[0]!.priceDimensions);
    expect(dims[0]!.unit).toBe('Hrs');
    expect(Number(dims[0]!.pricePerUnit.USD)).toBe(onDemandPrice(findInstanceType('t3.micro')!, findRegion('ap-northeast-2')!));
    expect(new Set(items.map((i) => i.product.attributes.operatingSystem))).toEqual(new Set(['Linux']));
  });

  it('supports ANY_OF and refuses tokens of another query', async () => {
    const out = await client().send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: [...linuxIn('us-east-1'), { Type: 'ANY_OF', Field: 'instanceType', Value: 'm5.large,c5.large' }] }));
    expect(out.PriceList).toHaveLength(2);
    const first = await client().send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', MaxResults: 1 }));
    await expect(client().send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', NextToken: first.NextToken, Filters: linuxIn('us-east-1') }))).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('answers real error codes', async () => {
    await expect(client().send(new GetProductsCommand({ ServiceCode: 'AmazonS4' }))).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 400 } });
    await expect(client().send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', MaxResults: 500 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client('ap-northeast-2').send(new GetProductsCommand({ ServiceCode: 'AmazonEC2' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(client('eu-central-1').send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', MaxResults: 1 }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect((await client('eu-central-1').send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', MaxResults: 1 }))).PriceList).toHaveLength(1);
  });

  it('describes its services', async () => {
    const out = await client().send(new DescribeServicesCommand({ ServiceCode: 'AmazonEC2' }));
    expect(out.Services?.[0]?.AttributeNames).toEqual(expect.arrayContaining(['instanceType', 'regionCode', 'vcpu', 'memory']));
  });
});
