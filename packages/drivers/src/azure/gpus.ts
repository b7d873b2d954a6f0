/**
 * GPUs of Azure VM sizes. ARM gives a size's GPU count (the Resource SKUs `GPUs` capability) and its
 * family (`standardNCASv3_T4Family`) but never the GPU model: that is in the size's name or, for the
 * older series, only in the family's documentation. The model names match what EC2 reports
 * (Manufacturer + Name: "NVIDIA T4", "NVIDIA A100"), so one `--gpu t4` filter reads every cloud.
 */
import type { Spec } from '@cloud-barista/core/driver/port';

/** GPU names that appear in size or family names (Standard_NC4as_T4_v3, StandardNCADSA100v4Family). */
const NAMED: ReadonlyArray<[RegExp, string]> = [
  [/H200/i, 'NVIDIA H200'],
  [/H100/i, 'NVIDIA H100'],
  [/GB200/i, 'NVIDIA GB200'],
  [/A100/i, 'NVIDIA A100'],
  [/A10(?!\d)/i, 'NVIDIA A10'],
  [/T4/i, 'NVIDIA T4'],
  [/MI300X/i, 'AMD Instinct MI300X'],
  [/V620/i, 'AMD Radeon Pro V620'],
  [/V710/i, 'AMD Radeon Pro V710'],
];

/** Series whose names do not say the GPU: family (lower case) → model, from the size pages. */
const BY_FAMILY: Readonly<Record<string, string>> = {
  standardncfamily: 'NVIDIA K80',
  standardncpromofamily: 'NVIDIA K80',
  standardncsv2family: 'NVIDIA P100',
  standardncsv3family: 'NVIDIA V100',
  standardndsfamily: 'NVIDIA P40',
  standardndsv2family: 'NVIDIA V100',
  standardnvfamily: 'NVIDIA M60',
  standardnvpromofamily: 'NVIDIA M60',
  standardnvsv3family: 'NVIDIA M60',
  standardnvsv4family: 'AMD Radeon Instinct MI25',
};

/** The GPU model of a size, from its name or family; undefined when neither says it. */
export function gpuModelOf(sizeName: string, family?: string): string | undefined {
  for (const text of [sizeName, family ?? '']) {
    const hit = NAMED.find(([re]) => re.test(text));
    if (hit) return hit[1];
  }
  return family ? BY_FAMILY[family.toLowerCase()] : undefined;
}

/** What the catalog needs of one Resource SKU (the SDK's ResourceSku). */
export interface SkuLike {
  resourceType?: string;
  name?: string;
  family?: string;
  capabilities?: Array<{ name?: string; value?: string }>;
}

export interface SizeFacts {
  gpu?: Spec['gpu'];
  arch?: string;
}

function capability(s: SkuLike, name: string): string | undefined {
  return s.capabilities?.find((c) => c.name?.toLowerCase() === name.toLowerCase())?.value;
}

/**
 * Per VM size (lower-case name): its GPUs (count from `GPUs`, model from the name or family; an
 * unknown model is the family's name, so a count filter still finds it) and its CPU architecture.
 */
export function sizeFacts(skus: Iterable<SkuLike>): Map<string, SizeFacts> {
  const out = new Map<string, SizeFacts>();
  for (const s of skus) {
    if (s.resourceType?.toLowerCase() !== 'virtualmachines' || !s.name) continue;
    const facts: SizeFacts = {};
    const count = Number(capability(s, 'GPUs') ?? 0);
    if (Number.isFinite(count) && count > 0) {
      facts.gpu = { model: gpuModelOf(s.name, s.family) ?? s.family ?? 'GPU', count };
    }
    const arch = capability(s, 'CpuArchitectureType');
    if (arch) facts.arch = /arm/i.test(arch) ? 'arm64' : 'x86_64';
    out.set(s.name.toLowerCase(), facts);
  }
  return out;
}
