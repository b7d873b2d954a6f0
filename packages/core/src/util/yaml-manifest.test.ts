import { describe, expect, it } from 'vitest';
import { parseK8sManifest } from '../k8s/manifest.js';
import { parseMcisManifest } from '../orchestrator/mcis-manifest.js';
import { MAX_MANIFEST_BYTES, MAX_STRING_LENGTH, readYamlManifest } from './yaml-manifest.js';

const manifest = (subgroup: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: web }
spec:
  subgroups:
    - ${subgroup}
`;
const ok = '{ name: g, connection: c, count: 1, spec: t3.small, image: ubuntu-22.04 }';

describe('readYamlManifest: what a hostile or careless file can do', () => {
  it('refuses an alias bomb as input, not as a crash', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [p, n] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']]) laughs.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]`);
    const r = readYamlManifest(laughs.join('\n'), 'bomb.yaml');
    expect(r.errors.map((e) => e.path)).toEqual(['bomb.yaml']);
    expect(r.errors[0]?.message).toMatch(/aliases .* too many times/);
  });

  it('keeps a few aliases working', () => {
    const r = readYamlManifest('base: &b { count: 1 }\none: *b\ntwo: *b\n');
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual({ base: { count: 1 }, one: { count: 1 }, two: { count: 1 } });
  });

  it('refuses 1000-deep nesting, flow or block, with a message instead of a stack overflow', () => {
    const flow = readYamlManifest(`a: ${'['.repeat(1000)}${']'.repeat(1000)}`, 'deep.yaml');
    expect(flow.errors[0]?.message).toMatch(/nested too deeply/);
    const block = readYamlManifest(Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1', 'deep.yaml');
    expect(block.errors[0]?.message).toMatch(/nested too deeply/);
    const medium = readYamlManifest(`a: ${'['.repeat(80)}${']'.repeat(80)}`);
    expect(medium.errors[0]?.message).toBe('nested too deeply to be a manifest (the limit is 64 levels)');
  });

  it('says "one manifest per file" for a multi-document file', () => {
    const r = readYamlManifest('a: 1\n---\nb: 2\n', 'two.yaml');
    expect(r.errors.map((e) => e.path)).toEqual(['two.yaml:2:1']);
    expect(r.errors[0]?.message).toMatch(/^one manifest per file/);
  });

  it('names .inf, .nan and !!binary values for what they are, not "is required"', () => {
    const r = parseMcisManifest(manifest('{ name: g, connection: c, count: .inf, spec: t3.small, image: ubuntu-22.04, rootDisk: { sizeGb: .nan } }'));
    const message = (path: string) => r.errors.find((e) => e.path === path)?.message;
    expect(message('spec.subgroups[0].count')).toMatch(/Infinity .* not a number cbadm accepts/);
    expect(message('spec.subgroups[0].rootDisk.sizeGb')).toMatch(/NaN .* not a number/);
    const bin = parseMcisManifest(manifest('{ name: g, connection: c, count: 1, spec: !!binary aGVsbG8=, image: ubuntu-22.04 }'));
    expect(bin.errors.map((e) => e.path)).toEqual(['spec.subgroups[0].spec']);
    expect(bin.errors[0]?.message).toMatch(/binary data \(!!binary\)/);
  });

  it('a wrong type is "must be", only a missing field is "is required"', () => {
    const r = parseMcisManifest(manifest('{ name: g, connection: c, count: "two", spec: t3.small }'));
    expect(r.errors).toContainEqual({ path: 'spec.subgroups[0].count', message: 'must be number' });
    expect(r.errors).toContainEqual({ path: 'spec.subgroups[0].image', message: 'is required (string)' });
  });

  it('bounds every string and the file itself', () => {
    const long = 'x'.repeat(MAX_STRING_LENGTH + 1);
    const r = parseMcisManifest(manifest(`{ name: g, connection: c, count: 1, spec: t3.small, image: ${long} }`));
    expect(r.errors).toEqual([{ path: 'spec.subgroups[0].image', message: `is ${MAX_STRING_LENGTH + 1} characters long; the limit is ${MAX_STRING_LENGTH}` }]);
    const huge = readYamlManifest(`a: ${'y'.repeat(MAX_MANIFEST_BYTES)}`, 'big.yaml');
    expect(huge.errors[0]?.path).toBe('big.yaml');
    expect(huge.errors[0]?.message).toMatch(/^is \d+ bytes; a manifest may have at most/);
    expect(parseMcisManifest(manifest(ok)).errors).toEqual([]);
  });

  it('k8s manifests are read the same way', () => {
    expect(parseK8sManifest('a: 1\n---\nb: 2\n', 'k.yaml').errors[0]?.message).toMatch(/^one manifest per file/);
    expect(parseK8sManifest(`a: ${'['.repeat(1000)}${']'.repeat(1000)}`).errors[0]?.message).toMatch(/nested too deeply/);
  });
});
