/**
 * On-demand prices from the AWS Price List Query API (`GetProducts`, service AmazonEC2): Linux,
 * shared tenancy, no pre-installed software, for the connection's region. The API lives in
 * us-east-1 whatever region is priced; a connection's endpoint override (Cloud-Twin, a private
 * gateway) serves it too. Loaded only when prices are asked for: the pricing SDK is not on any other
 * command's path.
 */
import { PricingClient, paginateGetProducts, type Filter } from '@aws-sdk/client-pricing';
import type { DriverPrices, SpecPrice } from '@cloud-barista/core/driver/port';
import { credentialsFor, secretsOf, type ClientParams } from './client.js';
import { DEFAULT_MAX_ATTEMPTS } from '../common/retry.js';
import { toProviderError } from './errors.js';

/** The Price List Query API's home region; its other endpoints (eu-central-1, ap-south-1) serve the same data. */
export const PRICING_REGION = 'us-east-1';

export function createPricingClient(p: ClientParams): PricingClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new PricingClient({
    region: PRICING_REGION,
    ...(p.connection.endpoint ? { endpoint: p.connection.endpoint } : {}),
    credentials: credentialsFor(p.credentials),
    retryMode: 'standard',
    maxAttempts: p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  });
  const secrets = secretsOf(p.credentials);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        throw toProviderError(e, secrets);
      }
    },
    { step: 'initialize', name: 'cbProviderErrorMiddleware', priority: 'high' },
  );
  return client;
}

export function linuxOnDemandFilters(region: string): Filter[] {
  const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    term('regionCode', region),
    term('operatingSystem', 'Linux'),
    term('tenancy', 'Shared'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
  ];
}

interface PriceItem {
  product?: { attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
  publicationDate?: string;
}

/** One price-list item → (instance type, USD/h), or undefined when it has no hourly USD price. */
export function parsePriceItem(json: string): (SpecPrice & { publicationDate?: string }) | undefined {
  const item = JSON.parse(json) as PriceItem;
  const type = item.product?.attributes?.instanceType;
  if (!type) return undefined;
  let best: number | undefined;
  for (const offer of Object.values(item.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(offer.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      // $0 dimensions exist (e.g. capacity reservations); a free instance type does not.
      if (dim.unit === 'Hrs' && usd > 0 && (best === undefined || usd < best)) best = usd;
    }
  }
  return best === undefined ? undefined : { spec: type, pricePerHour: best, ...(item.publicationDate ? { publicationDate: item.publicationDate } : {}) };
}

export async function listAwsPrices(p: ClientParams): Promise<DriverPrices> {
  const client = createPricingClient(p);
  const region = p.connection.region;
  try {
    const prices = new Map<string, number>();
    let published: string | undefined;
    const pages = paginateGetProducts({ client, pageSize: 100 }, { ServiceCode: 'AmazonEC2', Filters: linuxOnDemandFilters(region), FormatVersion: 'aws_v1' });
    for await (const page of pages) {
      for (const raw of page.PriceList ?? []) {
        const price = parsePriceItem(String(raw));
        if (!price) continue;
        const prev = prices.get(price.spec);
        if (prev === undefined || price.pricePerHour < prev) prices.set(price.spec, price.pricePerHour);
        if (price.publicationDate && (!published || price.publicationDate > published)) published = price.publicationDate;
      }
    }
    return {
      prices: [...prices].map(([spec, pricePerHour]) => ({ spec, pricePerHour })),
      source: `AWS Price List Query API GetProducts (AmazonEC2 ${region}, Linux on-demand${published ? `, published ${published.slice(0, 10)}` : ''})`,
    };
  } finally {
    client.destroy();
  }
}
