/**
 * Azure Retail Prices API (`GET https://prices.azure.com/api/retail/prices`): unauthenticated,
 * OData `$filter` (`field eq 'value'` terms joined by `and`, case-insensitive names and values),
 * `$skip` paging with an absolute `NextPageLink`, items in the real shape (armSkuName, retailPrice,
 * unitOfMeasure "1 Hour", productName "… Series" or "… Series Windows", skuName "… Spot"). Built
 * from the twin's VM sizes and regional price factors (data/azure.ts); Windows and Spot rows exist
 * so that clients must filter as they must on Azure (Windows: + $0.046 per vCPU-hour, Spot: 20 % of
 * the Linux price — approximations).
 *
 * Mounted on the twin's main HTTP listener; a client reaches it through the retail-prices endpoint
 * it is given (the public one is https://prices.azure.com).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AZURE_REGIONS, azurePrice, azureSizesIn, type AzureRegion, type AzureVmSize } from '../data/azure.js';

export const RETAIL_PRICES_PATH = '/api/retail/prices';
/** Azure pages by 1,000 rows; the twin by 25, so every client has to follow NextPageLink. */
const PAGE_SIZE = 25;
const EFFECTIVE = '2024-06-01T00:00:00Z';

export interface RetailItem {
  currencyCode: string;
  tierMinimumUnits: number;
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterId: string;
  meterName: string;
  productId: string;
  skuId: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceId: string;
  serviceFamily: string;
  unitOfMeasure: string;
  type: string;
  isPrimaryMeterRegion: boolean;
  armSkuName: string;
}

const id = (seed: string, len = 12) => createHash('sha256').update(seed).digest('hex').slice(0, len).toUpperCase();

/** 'Standard_D2s_v5' → meter 'D2s v5', series 'Dsv5'; 'Standard_NC4as_T4_v3' → 'NC4as T4 v3', 'NCasT4 v3'. */
function names(size: AzureVmSize): { meter: string; series: string } {
  const bare = size.name.replace(/^Standard_/, '');
  const meter = bare.replace(/_/g, ' ');
  const [head = '', ...rest] = bare.split('_');
  const letters = head.replace(/\d+/g, '');
  // 'NC4as_T4_v3' → 'NCasT4 v3 Series' (the GPU in the series name), 'D2s_v5' → 'Dsv5 Series'.
  const series = rest.length > 1 ? `${letters}${rest.slice(0, -1).join('')} ${rest[rest.length - 1]}` : `${letters}${rest[0] ?? ''}`;
  return { meter, series: `${series} Series` };
}

function rows(region: AzureRegion, size: AzureVmSize): RetailItem[] {
  const linux = azurePrice(size, region);
  const { meter, series } = names(size);
  const base = (product: string, sku: string, meterName: string, price: number): RetailItem => ({
    currencyCode: 'USD',
    tierMinimumUnits: 0,
    retailPrice: price,
    unitPrice: price,
    armRegionName: region.name,
    location: region.displayName,
    effectiveStartDate: EFFECTIVE,
    meterId: `${id(`${region.name}/${meterName}/${product}`, 8)}-${id(meterName, 4)}-${id(product, 4)}`.toLowerCase(),
    meterName,
    productId: `DZH318Z0${id(product, 4)}`,
    skuId: `DZH318Z0${id(product, 4)}/${id(`${sku}/${region.name}`, 4)}`,
    productName: product,
    skuName: sku,
    serviceName: 'Virtual Machines',
    serviceId: 'DZH313Z7MMC8',
    serviceFamily: 'Compute',
    unitOfMeasure: '1 Hour',
    type: 'Consumption',
    isPrimaryMeterRegion: true,
    armSkuName: size.name,
  });
  const r4 = (n: number) => Math.round(n * 10_000) / 10_000;
  return [
    base(`Virtual Machines ${series}`, meter, meter, linux),
    base(`Virtual Machines ${series}`, `${meter} Spot`, `${meter} Spot`, r4(linux * 0.2)),
    base(`Virtual Machines ${series} Windows`, meter, meter, r4(linux + size.numberOfCores * 0.046)),
  ];
}

let all: RetailItem[] | undefined;

export function retailItems(): readonly RetailItem[] {
  all ??= AZURE_REGIONS.flatMap((r) => azureSizesIn(r.name).flatMap((s) => rows(r, s)));
  return all;
}

class RetailError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `serviceName eq 'Virtual Machines' and armRegionName eq 'koreacentral'` → [field, value] pairs. */
export function parseODataFilter(filter: string): Array<[string, string]> {
  if (!filter.trim()) return [];
  return filter.split(/\s+and\s+/i).map((term) => {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(term);
    if (!m) throw new RetailError(400, 'BadRequest', `Invalid OData filter term: ${term.trim()}`);
    return [m[1]!.toLowerCase(), m[2]!.replace(/''/g, "'")];
  });
}

export function queryRetail(filter: string, skip: number): { items: RetailItem[]; more: boolean; count: number } {
  // The API filters on `priceType` for the rows' `type` field.
  const terms = parseODataFilter(filter).map(([f, v]): [string, string] => [f === 'pricetype' ? 'type' : f, v]);
  const keys = new Set(Object.keys(retailItems()[0] ?? {}).map((k) => k.toLowerCase()));
  for (const [f] of terms) if (!keys.has(f)) throw new RetailError(400, 'BadRequest', `Could not find a property named '${f}' on type 'RetailPrice'.`);
  const hits = retailItems().filter((it) =>
    terms.every(([f, v]) => {
      const key = Object.keys(it).find((k) => k.toLowerCase() === f) as keyof RetailItem;
      return String(it[key]).toLowerCase() === v.toLowerCase();
    }),
  );
  const page = hits.slice(skip, skip + PAGE_SIZE);
  return { items: page, more: skip + PAGE_SIZE < hits.length, count: page.length };
}

export async function handleAzureRetail(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const url = new URL(req.url ?? '/', base);
  let status = 200;
  let body: unknown;
  try {
    if (req.method !== 'GET') throw new RetailError(405, 'MethodNotAllowed', 'The requested resource does not support http method.');
    const currency = url.searchParams.get('currencyCode') ?? 'USD';
    if (currency.replace(/'/g, '') !== 'USD') throw new RetailError(400, 'BadRequest', 'Cloud-Twin keeps retail prices in USD only.');
    const skip = Number(url.searchParams.get('$skip') ?? 0);
    if (!Number.isInteger(skip) || skip < 0) throw new RetailError(400, 'BadRequest', 'Invalid $skip.');
    const { items, more, count } = queryRetail(url.searchParams.get('$filter') ?? '', skip);
    const next = new URL(url.href);
    next.searchParams.set('$skip', String(skip + PAGE_SIZE));
    body = { BillingCurrency: 'USD', CustomerEntityId: 'Default', CustomerEntityType: 'Retail', Items: items, NextPageLink: more ? next.href : null, Count: count };
  } catch (e) {
    const err = e instanceof RetailError ? e : new RetailError(500, 'InternalServerError', 'An error has occurred.');
    status = err.status;
    body = { Error: { Code: err.code, Message: err.message } };
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

