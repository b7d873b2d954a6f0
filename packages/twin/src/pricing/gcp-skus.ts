/**
 * The twin's Compute Engine SKUs for the Cloud Billing Catalog API, from its own machine-type
 * prices (data/gcp.ts). Compute Engine bills predefined machine types per vCPU-hour and per
 * GiB-hour of its family ("E2 Instance Core running in Seoul", "… Ram …"), shared-core E2 types at a
 * fraction of a vCPU (e2-micro 0.25, e2-small 0.5, e2-medium 1), and f1-micro / g1-small per instance.
 * The twin derives each family's two rates from its machine-type prices by least squares (when a
 * family's types all have one memory:vCPU ratio, RAM is taken at 0.134 × the core rate, Google's
 * usual ratio), so prices computed back from the SKUs match the catalog. Spot SKUs exist so that
 * clients must filter by usage type, as on Google's.
 * GPU machine types (A2, G2, A3) bill their vCPUs and memory by family like the rest, plus each
 * built-in GPU at its accelerator's SKU ("Nvidia L4 GPU running in Seoul", resource group GPU);
 * the family rates are derived from the catalog prices less the GPUs.
 */
import { createHash } from 'node:crypto';
import { GCP_GPU_TYPES, GCP_MACHINE_TYPES, GCP_REGIONS, type GcpMachineType, type GcpRegion } from '../data/gcp.js';

export const COMPUTE_SERVICE_ID = '6F81-5844-456A';
export const EFFECTIVE_TIME = '2024-06-01T07:08:00.611Z';

/** Family → SKU description prefix, as Google writes them. */
export const FAMILY_SKU_PREFIX: Record<string, string> = {
  e2: 'E2 Instance',
  n1: 'N1 Predefined Instance',
  n2: 'N2 Instance',
  n2d: 'N2D AMD Instance',
  c2: 'Compute optimized',
  c2d: 'C2D AMD Instance',
  c3: 'C3 Instance',
  t2d: 'T2D AMD Instance',
  t2a: 'T2A Arm Instance',
  a2: 'A2 Instance',
  g2: 'G2 Instance',
  a3: 'A3 Instance',
};

/** Shared-core E2 types are billed for this fraction of a vCPU. */
export const SHARED_CORE_FRACTION: Record<string, number> = { 'e2-micro': 0.25, 'e2-small': 0.5, 'e2-medium': 1 };
const PER_INSTANCE: Record<string, { description: string; group: string }> = {
  'f1-micro': { description: 'Micro Instance with burstable CPU', group: 'F1Micro' },
  'g1-small': { description: 'Small Instance with 1 VCPU', group: 'G1Small' },
};

const RAM_TO_CORE = 0.134;
const SPOT_FACTOR = 0.3;

export interface Sku {
  name: string;
  skuId: string;
  description: string;
  category: { serviceDisplayName: string; resourceFamily: string; resourceGroup: string; usageType: string };
  serviceRegions: string[];
  pricingInfo: Array<{
    summary: string;
    pricingExpression: {
      usageUnit: string;
      displayQuantity: number;
      tieredRates: Array<{ startUsageAmount: number; unitPrice: { currencyCode: string; units: string; nanos: number } }>;
      usageUnitDescription: string;
      baseUnit: string;
      baseUnitDescription: string;
      baseUnitConversionFactor: number;
    };
    currencyConversionRate: number;
    effectiveTime: string;
  }>;
  serviceProviderName: string;
  geoTaxonomy: { type: string; regions: string[] };
}

const gib = (t: GcpMachineType) => t.memoryMb / 1024;

/** USD/h of a machine type's built-in GPUs in us-central1 (0 without any). */
export function gpuCost(t: GcpMachineType): number {
  return (t.accelerators ?? []).reduce((sum, a) => sum + (GCP_GPU_TYPES.find((g) => g.name === a.guestAcceleratorType)?.usdPerHour ?? 0) * a.guestAcceleratorCount, 0);
}

/** Whether some machine type of `family` (or with GPU `gpu`) is offered in `region`. */
function offered(region: string, match: (t: GcpMachineType) => boolean): boolean {
  return GCP_MACHINE_TYPES.some((t) => match(t) && (!t.regions || t.regions.includes(region)));
}

/** Per-family (core, ram) USD rates in us-central1. */
export function familyRates(): Map<string, { core: number; ram: number }> {
  const byFamily = new Map<string, GcpMachineType[]>();
  for (const t of GCP_MACHINE_TYPES) {
    const f = t.name.split('-')[0]!;
    if (!FAMILY_SKU_PREFIX[f] || SHARED_CORE_FRACTION[t.name] !== undefined) continue;
    byFamily.set(f, [...(byFamily.get(f) ?? []), t]);
  }
  const out = new Map<string, { core: number; ram: number }>();
  for (const [f, ts] of byFamily) {
    // Normal equations of price = core·v + ram·m.
    let vv = 0, vm = 0, mm = 0, vp = 0, mp = 0;
    for (const t of ts) {
      const v = t.guestCpus;
      const m = gib(t);
      vv += v * v;
      vm += v * m;
      mm += m * m;
      const p = t.usdPerHour - gpuCost(t);
      vp += v * p;
      mp += m * p;
    }
    const det = vv * mm - vm * vm;
    if (Math.abs(det) > 1e-9 * vv * mm) {
      out.set(f, { core: (vp * mm - mp * vm) / det, ram: (mp * vv - vp * vm) / det });
    } else {
      const core = ts.reduce((a, t) => a + (t.usdPerHour - gpuCost(t)) / (t.guestCpus + RAM_TO_CORE * gib(t)), 0) / ts.length;
      out.set(f, { core, ram: core * RAM_TO_CORE });
    }
  }
  return out;
}

function money(usd: number): { currencyCode: string; units: string; nanos: number } {
  const units = Math.floor(usd);
  return { currencyCode: 'USD', units: String(units), nanos: Math.round((usd - units) * 1e9) };
}

function sku(description: string, group: string, usageType: string, region: GcpRegion, unit: 'h' | 'GiBy.h', usd: number): Sku {
  const h = createHash('sha256').update(`${description}/${region.name}/${usageType}`).digest('hex').toUpperCase();
  const skuId = `${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`;
  return {
    name: `services/${COMPUTE_SERVICE_ID}/skus/${skuId}`,
    skuId,
    description,
    category: { serviceDisplayName: 'Compute Engine', resourceFamily: 'Compute', resourceGroup: group, usageType },
    serviceRegions: [region.name],
    pricingInfo: [
      {
        summary: '',
        pricingExpression: {
          usageUnit: unit,
          displayQuantity: 1,
          tieredRates: [{ startUsageAmount: 0, unitPrice: money(usd) }],
          usageUnitDescription: unit === 'h' ? 'hour' : 'gibibyte hour',
          baseUnit: unit === 'h' ? 's' : 'By.s',
          baseUnitDescription: unit === 'h' ? 'second' : 'byte second',
          baseUnitConversionFactor: unit === 'h' ? 3600 : 3865470566400,
        },
        currencyConversionRate: 1,
        effectiveTime: EFFECTIVE_TIME,
      },
    ],
    serviceProviderName: 'Google',
    geoTaxonomy: { type: 'REGIONAL', regions: [region.name] },
  };
}

let all: Sku[] | undefined;

/** Every Compute Engine SKU of the twin, in a stable order. */
export function computeSkus(): readonly Sku[] {
  if (all) return all;
  const rates = familyRates();
  all = GCP_REGIONS.flatMap((r) => {
    const where = r.location.split(',')[0]!;
    const out: Sku[] = [];
    for (const [f, rate] of rates) {
      if (!offered(r.name, (t) => t.name.split('-')[0] === f)) continue;
      const prefix = FAMILY_SKU_PREFIX[f]!;
      for (const [usage, factor, lead] of [['OnDemand', 1, ''], ['Preemptible', SPOT_FACTOR, 'Spot Preemptible ']] as const) {
        out.push(sku(`${lead}${prefix} Core running in ${where}`, 'CPU', usage, r, 'h', rate.core * r.priceFactor * factor));
        out.push(sku(`${lead}${prefix} Ram running in ${where}`, 'RAM', usage, r, 'GiBy.h', rate.ram * r.priceFactor * factor));
      }
    }
    for (const g of GCP_GPU_TYPES) {
      if (!offered(r.name, (t) => (t.accelerators ?? []).some((a) => a.guestAcceleratorType === g.name))) continue;
      out.push(sku(`${g.skuDescription} running in ${where}`, 'GPU', 'OnDemand', r, 'h', g.usdPerHour * r.priceFactor));
      out.push(sku(`${g.skuDescription} attached to Spot Preemptible VMs running in ${where}`, 'GPU', 'Preemptible', r, 'h', g.usdPerHour * r.priceFactor * SPOT_FACTOR));
    }
    for (const [type, s] of Object.entries(PER_INSTANCE)) {
      const t = GCP_MACHINE_TYPES.find((m) => m.name === type);
      if (t) out.push(sku(`${s.description} running in ${where}`, s.group, 'OnDemand', r, 'h', t.usdPerHour * r.priceFactor));
    }
    return out;
  });
  return all;
}
