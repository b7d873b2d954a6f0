/**
 * Spec filters shared by `spec list`, `recommend` and manifest requirements: parsed from flags into
 * data, compiled into predicates, and, when nothing matches, explained by the constraint that
 * eliminated the most candidates ("no spec with ≥ 512 vCPU under $1/h: the largest is …").
 */
import { UsageError } from '../errors.js';
import { describeRange, inRange, isRangeText, parseRange, type NumRange } from './range.js';
import type { SpecRecord } from '../records/catalog.js';

export interface GpuFilter {
  /** GPU count per VM; `{min: 1}` means "has a GPU", `{max: 0}` means "none". */
  count?: NumRange;
  /** Case-insensitive substring of the GPU model ('a100', 't4'). */
  model?: string;
}

export interface SpecFilter {
  vcpu?: NumRange;
  memoryGiB?: NumRange;
  gpu?: GpuFilter;
  /** USD per hour per VM; specs without a price never pass it. */
  maxPrice?: number;
  providers?: string[];
  /** Region names; `*` matches any run of characters (`ap-*`). */
  regions?: string[];
  arch?: string;
}

/** The fields a filter looks at: catalog records and recommender candidates both have them. */
export type Filterable = Omit<SpecRecord, 'connection'>;

export type ConstraintKey = 'provider' | 'region' | 'arch' | 'vcpu' | 'memory' | 'gpu' | 'maxPrice';

export interface Constraint {
  key: ConstraintKey;
  /** For messages: 'with ≥ 4 vCPU', 'under $1/h'. */
  phrase: string;
  test(c: Filterable): boolean;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'x86_64', amd64: 'x86_64', x86: 'x86_64', x64: 'x86_64', arm64: 'arm64', aarch64: 'arm64', arm: 'arm64' };

/** 'amd64' → 'x86_64', 'aarch64' → 'arm64'; undefined for anything else. */
export function normaliseArch(arch: string): string | undefined {
  return ARCH_ALIASES[arch.trim().toLowerCase()];
}

/** `a100`, `1..`, `0`, `t4:2..`, `any`, `none` → a GPU filter. */
export function parseGpuFilter(raw: string, what = '--gpu'): GpuFilter {
  const text = raw.trim().toLowerCase();
  if (text === '' || text === 'any' || text === 'yes') return { count: { min: 1 } };
  if (text === 'none' || text === 'no') return { count: { max: 0 } };
  if (isRangeText(text)) return { count: parseRange(text, what) };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && isRangeText(text.slice(colon + 1))) {
    return { model: text.slice(0, colon), count: parseRange(text.slice(colon + 1), what) };
  }
  if (!/^[a-z0-9][a-z0-9 ._-]*$/.test(text)) {
    throw new UsageError(`${what} '${raw}' is neither a GPU count range nor a model name`, { hint: `e.g. ${what} 1.. (any GPU), ${what} a100, ${what} t4:2.. or ${what} none` });
  }
  return { model: text, count: { min: 1 } };
}

export interface SpecFilterFlags {
  vcpu?: string;
  memory?: string;
  gpu?: string;
  maxPrice?: number;
  provider?: string[];
  region?: string[];
  arch?: string;
}

/** Flags as typed → a filter; throws UsageError naming the flag. */
export function specFilterFromFlags(f: SpecFilterFlags): SpecFilter {
  const filter: SpecFilter = {};
  if (f.vcpu !== undefined) filter.vcpu = parseRange(f.vcpu, '--vcpu');
  if (f.memory !== undefined) filter.memoryGiB = parseRange(f.memory, '--memory');
  if (f.gpu !== undefined) filter.gpu = parseGpuFilter(f.gpu);
  if (f.maxPrice !== undefined) {
    if (!(f.maxPrice > 0)) throw new UsageError(`--max-price ${f.maxPrice} must be a price above 0 (USD per hour)`, { hint: 'e.g. --max-price 0.5' });
    filter.maxPrice = f.maxPrice;
  }
  const list = (xs: string[] | undefined) => xs?.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const providers = list(f.provider);
  if (providers?.length) filter.providers = providers.map((p) => p.toLowerCase());
  const regions = list(f.region);
  if (regions?.length) filter.regions = regions;
  if (f.arch !== undefined) {
    const arch = normaliseArch(f.arch);
    if (!arch) throw new UsageError(`--arch '${f.arch}' is not an architecture`, { hint: 'use x86_64 (amd64) or arm64 (aarch64)' });
    filter.arch = arch;
  }
  return filter;
}

function globRegex(patterns: string[]): RegExp {
  const esc = patterns.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return new RegExp(`^(?:${esc.join('|')})$`);
}

const usd = (n: number) => `$${n < 0.1 ? n.toFixed(4) : n.toFixed(n < 10 ? 3 : 2)}`;

/** The filter as a list of predicates, cheapest and most selective first. */
export function compileFilter(f: SpecFilter): Constraint[] {
  const out: Constraint[] = [];
  if (f.providers?.length) {
    const set = new Set(f.providers);
    out.push({ key: 'provider', phrase: `on ${f.providers.join('/')}`, test: (c) => set.has(c.provider) });
  }
  if (f.regions?.length) {
    const re = globRegex(f.regions);
    out.push({ key: 'region', phrase: `in ${f.regions.join(', ')}`, test: (c) => re.test(c.region) });
  }
  if (f.arch) {
    const arch = f.arch;
    out.push({ key: 'arch', phrase: `on ${arch}`, test: (c) => c.arch === arch });
  }
  if (f.vcpu) {
    const r = f.vcpu;
    out.push({ key: 'vcpu', phrase: `with ${describeRange(r, 'vCPU')}`, test: (c) => inRange(c.vcpu, r) });
  }
  if (f.memoryGiB) {
    const r = f.memoryGiB;
    out.push({ key: 'memory', phrase: `with ${describeRange(r, 'GiB')} memory`, test: (c) => inRange(c.memoryGiB, r) });
  }
  if (f.gpu) {
    const g = f.gpu;
    const model = g.model?.toLowerCase();
    const phrase = g.count?.max === 0 ? 'without a GPU' : `with ${g.count ? describeRange(g.count) : ''} ${model ? model.toUpperCase() : ''} GPU`.replace(/\s+/g, ' ');
    out.push({
      key: 'gpu',
      phrase,
      test: (c) => {
        const count = c.gpu?.count ?? 0;
        if (g.count && !inRange(count, g.count)) return false;
        return !model || (c.gpu !== undefined && c.gpu.model.toLowerCase().includes(model));
      },
    });
  }
  if (f.maxPrice !== undefined) {
    const max = f.maxPrice;
    out.push({ key: 'maxPrice', phrase: `under ${usd(max)}/h`, test: (c) => c.pricePerHour !== undefined && c.pricePerHour <= max });
  }
  return out;
}

export function matchesAll(c: Filterable, constraints: readonly Constraint[]): boolean {
  for (const k of constraints) if (!k.test(c)) return false;
  return true;
}

export interface EmptyExplanation {
  /** The constraint that eliminated the most candidates. */
  constraint: ConstraintKey;
  eliminated: number;
  total: number;
  message: string;
}

function label(c: Filterable): string {
  return `${c.provider} ${c.region} ${c.name}`;
}

/** What comes closest to passing `k` among `pool`: the sentence after the colon. */
function closest(k: Constraint, pool: readonly Filterable[], f: SpecFilter): string {
  const best = (score: (c: Filterable) => number) => pool.reduce<Filterable | undefined>((a, c) => (a === undefined || score(c) > score(a) ? c : a), undefined);
  const price = (c: Filterable) => (c.pricePerHour === undefined ? 'no price' : `${usd(c.pricePerHour)}/h`);
  if (!pool.length) return 'the catalog has nothing else that matches either';
  switch (k.key) {
    case 'vcpu': {
      const wantMore = f.vcpu?.min !== undefined && pool.every((c) => c.vcpu < f.vcpu!.min!);
      const c = wantMore ? best((x) => x.vcpu) : best((x) => -x.vcpu);
      return `the ${wantMore ? 'largest' : 'smallest'} is ${label(c!)} with ${c!.vcpu} vCPU (${price(c!)})`;
    }
    case 'memory': {
      const wantMore = f.memoryGiB?.min !== undefined && pool.every((c) => c.memoryGiB < f.memoryGiB!.min!);
      const c = wantMore ? best((x) => x.memoryGiB) : best((x) => -x.memoryGiB);
      return `the ${wantMore ? 'largest' : 'smallest'} is ${label(c!)} with ${c!.memoryGiB} GiB (${price(c!)})`;
    }
    case 'maxPrice': {
      const priced = pool.filter((c) => c.pricePerHour !== undefined);
      if (!priced.length) return 'none of them has a price: run `cbadm catalog update` to fetch prices';
      const c = priced.reduce((a, x) => (x.pricePerHour! < a.pricePerHour! ? x : a));
      return `the cheapest is ${label(c)} at ${price(c)}`;
    }
    case 'gpu': {
      const models = [...new Set(pool.flatMap((c) => (c.gpu ? [c.gpu.model] : [])))];
      return models.length ? `the GPU models on offer are ${models.slice(0, 8).join(', ')}` : 'none of them has a GPU';
    }
    case 'provider':
      return `the catalog has ${[...new Set(pool.map((c) => c.provider))].join(', ')}`;
    case 'region': {
      const regions = [...new Set(pool.map((c) => c.region))];
      return `the catalog has ${regions.slice(0, 8).join(', ')}${regions.length > 8 ? ` and ${regions.length - 8} more` : ''}`;
    }
    case 'arch':
      return `the catalog has ${[...new Set(pool.map((c) => c.arch))].join(', ')}`;
  }
}

/**
 * Why nothing matched: counts, for each constraint alone, how many candidates it rejects, and names
 * the worst one with what comes closest among the candidates that pass all the others.
 */
export function explainEmpty(all: readonly Filterable[], f: SpecFilter, what = 'spec'): EmptyExplanation | undefined {
  const constraints = compileFilter(f);
  if (!all.length) return undefined;
  if (!constraints.length) return undefined;
  const rejected = constraints.map(() => 0);
  for (const c of all) constraints.forEach((k, i) => { if (!k.test(c)) rejected[i]!++; });
  let worst = 0;
  for (let i = 1; i < constraints.length; i++) if (rejected[i]! > rejected[worst]!) worst = i;
  const k = constraints[worst]!;
  const others = constraints.filter((_, i) => i !== worst);
  const pool = all.filter((c) => matchesAll(c, others));
  const phrase = [k.phrase, ...others.map((o) => o.phrase)].join(' ');
  return {
    constraint: k.key,
    eliminated: rejected[worst]!,
    total: all.length,
    message: `no ${what} ${phrase}: ${closest(k, pool.length ? pool : all, f)}`,
  };
}
