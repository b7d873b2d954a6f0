/** Spec filter flags shared by `spec list` and `recommend` (same range syntax: 2..8, 4.., ..16, 4). */
import { Flags } from '@oclif/core';
import type { SpecFilter } from '@cloud-barista/core';

export const specFilterFlags = {
  vcpu: Flags.string({ summary: 'vCPUs: N, MIN.., ..MAX or MIN..MAX (e.g. 2..8).', helpGroup: 'FILTER' }),
  memory: Flags.string({ summary: 'Memory in GiB, same range syntax (e.g. 4..).', helpGroup: 'FILTER' }),
  gpu: Flags.string({ summary: "GPUs: a count range (1..), a model (t4, a100, 'a100:2..'), or none.", helpGroup: 'FILTER' }),
  'max-price': Flags.string({ summary: 'At most this on-demand USD per hour.', helpGroup: 'FILTER' }),
  provider: Flags.string({ multiple: true, summary: 'Only these providers (repeat or comma-separate).', helpGroup: 'FILTER' }),
  region: Flags.string({ multiple: true, summary: 'Only these regions; * matches anything (ap-*).', helpGroup: 'FILTER' }),
  arch: Flags.string({ summary: 'x86_64 (amd64) or arm64 (aarch64).', helpGroup: 'FILTER' }),
};

export interface SpecFilterFlagValues {
  vcpu?: string;
  memory?: string;
  gpu?: string;
  'max-price'?: string;
  provider?: string[];
  region?: string[];
  arch?: string;
}

/** The flags as a filter; bad values throw UsageError naming the flag (exit 2). */
export async function specFilterOf(f: SpecFilterFlagValues): Promise<SpecFilter> {
  const { specFilterFromFlags } = await import('@cloud-barista/core/catalog/filter');
  const { UsageError } = await import('@cloud-barista/core/errors');
  let maxPrice: number | undefined;
  if (f['max-price'] !== undefined) {
    maxPrice = Number(f['max-price']);
    if (!Number.isFinite(maxPrice)) throw new UsageError(`--max-price '${f['max-price']}' is not a number`, { hint: 'USD per hour, e.g. --max-price 0.5' });
  }
  return specFilterFromFlags({
    ...(f.vcpu !== undefined ? { vcpu: f.vcpu } : {}),
    ...(f.memory !== undefined ? { memory: f.memory } : {}),
    ...(f.gpu !== undefined ? { gpu: f.gpu } : {}),
    ...(maxPrice !== undefined ? { maxPrice } : {}),
    ...(f.provider ? { provider: f.provider } : {}),
    ...(f.region ? { region: f.region } : {}),
    ...(f.arch !== undefined ? { arch: f.arch } : {}),
  });
}

/** Stale-data and other notes go to stderr: stdout carries only the data. */
export function warn(message: string | null | undefined): void {
  if (message) process.stderr.write(`warning: ${message}\n`);
}
