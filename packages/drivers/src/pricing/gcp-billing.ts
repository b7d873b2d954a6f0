/**
 * GCP on-demand prices from the Cloud Billing Catalog API (`CloudCatalogClient.listSkus` of
 * @google-cloud/billing, over REST like the Compute client): Compute Engine bills a predefined
 * machine type per vCPU-hour and per GiB-hour of its family ("E2 Instance Core running in Seoul",
 * "… Ram …"), shared-core E2 types for a fraction of a vCPU, f1-micro and g1-small per instance.
 * A type's price is core × vCPUs + RAM × GiB with the OnDemand SKUs of its region, plus, for GPU
 * machine types (A2, G2, A3), count × the GPU's own SKU ("Nvidia L4 GPU", "Nvidia Tesla A100 GPU"). The catalog is one
 * list for all regions, so a process fetches it once per endpoint and account, not once per region.
 * Lives outside gcp/ and wraps the GCP driver's catalog: the driver itself needs no billing API.
 */
import type { CloudDriver, DriverFactory, DriverOptions, DriverPrices, Spec } from '@cloud-barista/core/driver/port';
import { gcpAuth } from '../gcp/auth.js';
import { endpointOptions } from '../gcp/client.js';
import { GCP_BACKOFF, gcpFailure } from '../gcp/retry.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';

export const COMPUTE_SERVICE = 'services/6F81-5844-456A';

/** Machine family → SKU description prefix, as Google writes them. */
export const FAMILY_SKU_PREFIX: Readonly<Record<string, string>> = {
  e2: 'E2 Instance',
  n1: 'N1 Predefined Instance',
  n2: 'N2 Instance',
  n2d: 'N2D AMD Instance',
  n4: 'N4 Instance',
  c2: 'Compute optimized',
  c2d: 'C2D AMD Instance',
  c3: 'C3 Instance',
  c3d: 'C3D Instance',
  t2d: 'T2D AMD Instance',
  t2a: 'T2A Arm Instance',
  m1: 'Memory-optimized Instance',
  a2: 'A2 Instance',
  a3: 'A3 Instance',
  g2: 'G2 Instance',
};

/** Shared-core E2 types bill this fraction of a vCPU (Google's pricing page). */
export const SHARED_CORE_FRACTION: Readonly<Record<string, number>> = { 'e2-micro': 0.25, 'e2-small': 0.5, 'e2-medium': 1 };
/** Types billed per instance-hour. */
export const PER_INSTANCE_SKU: Readonly<Record<string, string>> = { 'f1-micro': 'Micro Instance with burstable CPU', 'g1-small': 'Small Instance with 1 VCPU' };

export interface SkuLike {
  description?: string | null;
  category?: { resourceFamily?: string | null; usageType?: string | null } | null;
  serviceRegions?: string[] | null;
  pricingInfo?: Array<{ pricingExpression?: { tieredRates?: Array<{ unitPrice?: { units?: unknown; nanos?: number | null } | null }> | null } | null }> | null;
}

/** Per region: description → USD per unit (hour or GiB-hour). */
export type RateTable = Map<string, Map<string, number>>;

function unitPrice(s: SkuLike): number | undefined {
  const rates = s.pricingInfo?.[0]?.pricingExpression?.tieredRates ?? [];
  // The last tier is the steady price (the first may be a free tier).
  const p = rates[rates.length - 1]?.unitPrice;
  if (!p) return undefined;
  return Number(p.units ?? 0) + (p.nanos ?? 0) / 1e9;
}

export function rateTable(skus: Iterable<SkuLike>): RateTable {
  const table: RateTable = new Map();
  for (const s of skus) {
    if (s.category?.resourceFamily !== 'Compute' || s.category.usageType !== 'OnDemand' || !s.description) continue;
    const price = unitPrice(s);
    if (price === undefined) continue;
    const what = s.description.replace(/ running in .*$/, '');
    for (const r of s.serviceRegions ?? []) {
      let m = table.get(r);
      if (!m) table.set(r, (m = new Map<string, number>()));
      m.set(what, price);
    }
  }
  return table;
}

/**
 * One GPU's USD/h from its SKU: the GCP driver's model "NVIDIA A100 80GB" (from nvidia-a100-80gb) is
 * billed as "Nvidia A100 80GB GPU", "NVIDIA A100" (nvidia-tesla-a100) as "Nvidia Tesla A100 GPU".
 */
function gpuRate(rates: Map<string, number>, model: string): number | undefined {
  const rest = model.replace(/^NVIDIA\s+/i, '');
  return rates.get(`Nvidia ${rest} GPU`) ?? rates.get(`Nvidia Tesla ${rest} GPU`);
}

/** USD/h of each spec in `region`, for the specs whose SKUs are listed. */
export function pricesFrom(table: RateTable, region: string, specs: readonly Spec[]): DriverPrices['prices'] {
  const rates = table.get(region);
  if (!rates) return [];
  return specs.flatMap((s) => {
    const perInstance = PER_INSTANCE_SKU[s.name];
    if (perInstance) {
      const p = rates.get(perInstance);
      return p === undefined ? [] : [{ spec: s.name, pricePerHour: Math.round(p * 1e6) / 1e6 }];
    }
    const prefix = FAMILY_SKU_PREFIX[s.name.split('-')[0] ?? ''];
    const core = prefix ? rates.get(`${prefix} Core`) : undefined;
    const ram = prefix ? rates.get(`${prefix} Ram`) : undefined;
    if (core === undefined || ram === undefined) return [];
    const vcpu = SHARED_CORE_FRACTION[s.name] ?? s.vcpu;
    let gpus = 0;
    if (s.gpu) {
      const each = gpuRate(rates, s.gpu.model);
      if (each === undefined) return []; // a GPU type without its GPU's SKU: no price rather than a low one
      gpus = each * s.gpu.count;
    }
    return [{ spec: s.name, pricePerHour: Math.round((core * vcpu + ram * s.memoryGiB + gpus) * 1e6) / 1e6 }];
  });
}

const tables = new Map<string, Promise<RateTable>>();

async function fetchTable(opts: DriverOptions): Promise<RateTable> {
  const auth = gcpAuth(opts.connection, opts.credentials);
  await auth.ready();
  const { CloudCatalogClient } = await import('@google-cloud/billing');
  const client = new CloudCatalogClient({ fallback: true, ...auth.clientOptions, ...endpointOptions(opts.connection.endpoint) });
  // A read: the whole listing is asked again on a throttled or transient failure.
  const policy = { maxAttempts: DEFAULT_MAX_ATTEMPTS, ...GCP_BACKOFF, throttleWaitMs: opts.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS };
  try {
    const skus = await withRetry(
      async () => {
        const out: SkuLike[] = [];
        for await (const sku of client.listSkusAsync({ parent: COMPUTE_SERVICE, currencyCode: 'USD', pageSize: 5000 }, { autoPaginate: false })) out.push(sku);
        return out;
      },
      (e) => gcpFailure(e, auth.secrets),
      policy,
    );
    return rateTable(skus);
  } finally {
    await client.close();
  }
}

export async function listGcpPrices(opts: DriverOptions, specs: readonly Spec[]): Promise<DriverPrices> {
  const key = `${opts.connection.endpoint ?? 'public'}|${opts.connection.credential ?? 'default-chain'}`;
  let table = tables.get(key);
  if (!table) {
    tables.set(key, (table = fetchTable(opts)));
    table.catch(() => tables.delete(key));
  }
  const prices = pricesFrom(await table, opts.connection.region, specs);
  return { prices, source: `Cloud Billing Catalog API (${COMPUTE_SERVICE} SKUs, ${opts.connection.region}, on-demand per vCPU and GiB)` };
}

/** The GCP driver with `catalog.listPrices`; listSpecs is shared so prices cost no second listing. */
export function withGcpPrices(factory: DriverFactory): DriverFactory {
  return (opts) => {
    const d: CloudDriver = factory(opts);
    let specs: Promise<Spec[]> | undefined;
    const listSpecs = () => {
      specs ??= d.catalog.listSpecs();
      specs.catch(() => (specs = undefined));
      return specs;
    };
    return { ...d, catalog: { ...d.catalog, listSpecs, listPrices: async () => listGcpPrices(opts, await listSpecs()) } };
  };
}
