import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { compileFilter, explainEmpty, matchesAll, parseGpuFilter, specFilterFromFlags, type Filterable } from './filter.js';

const specs: Filterable[] = [
  { provider: 'aws', region: 'us-east-1', name: 't3.micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64', pricePerHour: 0.0104 },
  { provider: 'aws', region: 'us-east-1', name: 'm5.24xlarge', vcpu: 96, memoryGiB: 384, arch: 'x86_64', pricePerHour: 4.608 },
  { provider: 'aws', region: 'ap-northeast-2', name: 'c6g.large', vcpu: 2, memoryGiB: 4, arch: 'arm64', pricePerHour: 0.077 },
  { provider: 'gcp', region: 'us-central1', name: 'a2-highgpu-1g', vcpu: 12, memoryGiB: 85, arch: 'x86_64', gpu: { model: 'NVIDIA A100', count: 1 }, pricePerHour: 3.67 },
  { provider: 'azure', region: 'koreacentral', name: 'Standard_B2s', vcpu: 2, memoryGiB: 4, arch: 'x86_64' },
];
const names = (f: Parameters<typeof specFilterFromFlags>[0]) => {
  const k = compileFilter(specFilterFromFlags(f));
  return specs.filter((s) => matchesAll(s, k)).map((s) => s.name);
};

describe('spec filters', () => {
  it('filters by ranges, price, provider, region globs, arch and GPU', () => {
    expect(names({ vcpu: '2..8' })).toEqual(['t3.micro', 'c6g.large', 'Standard_B2s']);
    expect(names({ memory: '4..', vcpu: '..16' })).toEqual(['c6g.large', 'a2-highgpu-1g', 'Standard_B2s']);
    expect(names({ maxPrice: 0.1 })).toEqual(['t3.micro', 'c6g.large']); // no price never passes
    expect(names({ provider: ['aws,gcp'], region: ['us-*'] })).toEqual(['t3.micro', 'm5.24xlarge', 'a2-highgpu-1g']);
    expect(names({ arch: 'aarch64' })).toEqual(['c6g.large']);
    expect(names({ gpu: 'a100' })).toEqual(['a2-highgpu-1g']);
    expect(names({ gpu: '1..' })).toEqual(['a2-highgpu-1g']);
    expect(names({ gpu: 'none', vcpu: '96' })).toEqual(['m5.24xlarge']);
  });

  it('parses GPU filters', () => {
    expect(parseGpuFilter('t4:2..')).toEqual({ model: 't4', count: { min: 2 } });
    expect(parseGpuFilter('any')).toEqual({ count: { min: 1 } });
    expect(() => parseGpuFilter('$$')).toThrow(UsageError);
  });

  it('rejects bad flags naming them', () => {
    expect(() => specFilterFromFlags({ arch: 'sparc' })).toThrow(/--arch 'sparc'/);
    expect(() => specFilterFromFlags({ maxPrice: 0 })).toThrow(/--max-price/);
    expect(() => specFilterFromFlags({ memory: 'lots' })).toThrow(/--memory/);
  });

  it('explains an empty result by the constraint that eliminated the most', () => {
    const e = explainEmpty(specs, specFilterFromFlags({ vcpu: '512..', maxPrice: 1 }));
    expect(e?.constraint).toBe('vcpu');
    expect(e?.message).toBe('no spec with ≥ 512 vCPU under $1.000/h: the largest is aws us-east-1 t3.micro with 2 vCPU ($0.0104/h)');
    const p = explainEmpty(specs, specFilterFromFlags({ maxPrice: 0.001 }));
    expect(p?.message).toMatch(/^no spec under \$0\.0010\/h: the cheapest is aws us-east-1 t3\.micro at \$0\.0104\/h$/);
    const g = explainEmpty(specs, specFilterFromFlags({ gpu: 'h100' }));
    expect(g?.message).toMatch(/GPU models on offer are NVIDIA A100/);
  });
});
