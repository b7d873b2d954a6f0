/**
 * Azure on-demand prices from the Azure Retail Prices API (`GET /api/retail/prices`, unauthenticated
 * REST with OData `$filter` and `NextPageLink` paging; Azure has no SDK for it): Virtual Machines,
 * the connection's region, Consumption (pay-as-you-go) rows per hour, Linux only (no "Windows"
 * product), no Spot or Low Priority meters.
 *
 * Endpoint: https://prices.azure.com; for a connection with an endpoint override (a private or
 * emulated cloud), that endpoint; CB_AZURE_RETAIL_PRICES_URL overrides both.
 * Lives outside azure/ and wraps the Azure driver's catalog from the registry.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import type { DriverFactory, DriverPrices } from '@cloud-barista/core/driver/port';
import type { Connection } from '@cloud-barista/core/model';
import { ProviderError } from '@cloud-barista/core/errors';
import { agentFor } from '../azure/client.js';
import { classifyAzureCode } from '../azure/errors.js';
import { RETRYABLE, retryAfterMs } from '../common/errors.js';
import { DEFAULT_THROTTLE_WAIT_MS, withRetry, type Failure } from '../common/retry.js';

export const PUBLIC_RETAIL_PRICES = 'https://prices.azure.com';
const PATH = '/api/retail/prices';
const API_VERSION = '2023-01-01-preview';
const MAX_ATTEMPTS = 5;

export interface RetailRow {
  armSkuName?: string;
  retailPrice?: number;
  unitOfMeasure?: string;
  type?: string;
  productName?: string;
  skuName?: string;
  meterName?: string;
  currencyCode?: string;
}

interface RetailPage {
  Items?: RetailRow[];
  NextPageLink?: string | null;
}

export function retailPricesBase(connection: Connection, env: NodeJS.ProcessEnv = process.env): string {
  return (env.CB_AZURE_RETAIL_PRICES_URL ?? connection.endpoint ?? PUBLIC_RETAIL_PRICES).replace(/\/+$/, '');
}

/** Linux pay-as-you-go hourly rows → lowest USD price per VM size. */
export function linuxHourly(rows: Iterable<RetailRow>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    if (!r.armSkuName || typeof r.retailPrice !== 'number' || r.retailPrice <= 0) continue;
    if (r.type !== 'Consumption' || r.unitOfMeasure !== '1 Hour' || (r.currencyCode && r.currencyCode !== 'USD')) continue;
    if (/windows/i.test(r.productName ?? '') || /spot|low priority/i.test(`${r.skuName ?? ''} ${r.meterName ?? ''}`)) continue;
    const prev = out.get(r.armSkuName);
    if (prev === undefined || r.retailPrice < prev) out.set(r.armSkuName, r.retailPrice);
  }
  return out;
}

function getJson(url: URL, agent: Agent | undefined): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers: { accept: 'application/json' }, ...(agent && url.protocol === 'https:' ? { agent } : {}), timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(typeof res.headers['retry-after'] === 'string' ? { retryAfter: res.headers['retry-after'] } : {}), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after 60 s: ${url.origin}`)));
    req.on('error', reject);
    req.end();
  });
}

function providerError(status: number, body: string): ProviderError {
  let code = `Http${status}`;
  let message = body.slice(0, 300);
  try {
    const e = (JSON.parse(body) as { Error?: { Code?: string; Message?: string }; error?: { code?: string; message?: string } });
    code = e.Error?.Code ?? e.error?.code ?? code;
    message = e.Error?.Message ?? e.error?.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  const errorClass = classifyAzureCode(code, status, message);
  return new ProviderError({ provider: 'azure', code, message: `Retail Prices API: ${message}`, errorClass, retryable: RETRYABLE[errorClass], httpStatus: status });
}

/** A failed page: the error to report, and the wait the server asked for. */
class PageFailure extends Error {
  constructor(
    readonly error: ProviderError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

async function getPage(url: URL, agent: Agent | undefined): Promise<RetailPage> {
  let r: Awaited<ReturnType<typeof getJson>>;
  try {
    r = await getJson(url, agent);
  } catch (e) {
    throw new PageFailure(new ProviderError({ provider: 'azure', code: 'NetworkError', message: `Retail Prices API: ${(e as Error).message}`, errorClass: 'unavailable', retryable: true, cause: e }));
  }
  if (r.status === 200) return JSON.parse(r.body) as RetailPage;
  throw new PageFailure(providerError(r.status, r.body), retryAfterMs(r.retryAfter));
}

const pageFailure = (e: unknown): Failure =>
  e instanceof PageFailure
    ? { error: e.error, errorClass: e.error.errorClass, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) }
    : { error: e, errorClass: undefined };

/** GETs every page; each page is retried on 429 (to the deadline) and 5xx (a few times). */
async function allRows(first: URL, agent: Agent | undefined, throttleWaitMs: number): Promise<RetailRow[]> {
  const policy = { maxAttempts: MAX_ATTEMPTS, minDelayMs: 500, maxDelayMs: 30_000, throttleWaitMs };
  const rows: RetailRow[] = [];
  let url: URL | undefined = first;
  while (url) {
    const at: URL = url;
    const page = await withRetry(() => getPage(at, agent), pageFailure, policy);
    rows.push(...(page.Items ?? []));
    url = page.NextPageLink ? new URL(page.NextPageLink) : undefined;
  }
  return rows;
}

export async function listAzurePrices(connection: Connection, throttleWaitMs = DEFAULT_THROTTLE_WAIT_MS): Promise<DriverPrices> {
  const base = retailPricesBase(connection);
  const url = new URL(`${base}${PATH}`);
  url.searchParams.set('api-version', API_VERSION);
  url.searchParams.set('currencyCode', "'USD'");
  const region = connection.region.replace(/'/g, "''"); // OData string literal
  url.searchParams.set('$filter', `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and priceType eq 'Consumption'`);
  const agent = agentFor(connection);
  try {
    const prices = linuxHourly(await allRows(url, agent, throttleWaitMs));
    return {
      prices: [...prices].map(([spec, pricePerHour]) => ({ spec, pricePerHour })),
      source: `Azure Retail Prices API (${new URL(base).host}, Virtual Machines ${connection.region}, Linux pay-as-you-go)`,
    };
  } finally {
    agent?.destroy();
  }
}

/** The Azure driver with `catalog.listPrices`. */
export function withAzurePrices(factory: DriverFactory): DriverFactory {
  return (opts) => {
    const d = factory(opts);
    return { ...d, catalog: { ...d.catalog, listPrices: () => listAzurePrices(opts.connection, opts.throttleWaitMs) } };
  };
}
