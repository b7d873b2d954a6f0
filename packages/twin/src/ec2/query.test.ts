import { describe, expect, it } from 'vitest';
import { contains, intToIp, ipToInt, overlaps, parseCidr, usableAddresses } from './cidr.js';
import { applyFilters, wildcardToRegExp } from './filters.js';
import { paginate } from './paging.js';
import { Params, tagsFromSpecs } from './query.js';

const form = (s: string) => new Params(new URLSearchParams(s));

describe('Params', () => {
  it('reads indexed lists and structures in index order', () => {
    const p = form('InstanceId.2=i-b&InstanceId.1=i-a&Filter.2.Name=tag%3Acb-ns&Filter.2.Value.1=x&Filter.1.Name=instance-state-name&Filter.1.Value.2=stopped&Filter.1.Value.1=running');
    expect(p.list('InstanceId')).toEqual(['i-a', 'i-b']);
    expect(p.filters()).toEqual([
      { name: 'instance-state-name', values: ['running', 'stopped'] },
      { name: 'tag:cb-ns', values: ['x'] },
    ]);
  });

  it('reads sub-structures, numbers and booleans', () => {
    const p = form('MapPublicIpOnLaunch.Value=true&MaxCount=3');
    expect(p.sub('MapPublicIpOnLaunch').bool('Value')).toBe(true);
    expect(p.int('MaxCount')).toBe(3);
    expect(() => form('MaxCount=x').int('MaxCount')).toThrow(/Invalid value 'x' for MaxCount/);
    expect(() => form('').req('ImageId')).toThrow(/must contain the parameter ImageId/);
  });

  it('reads TagSpecifications and refuses types the call cannot tag', () => {
    const p = form('TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=cb-vm&TagSpecification.1.Tag.1.Value=web-1&TagSpecification.2.ResourceType=volume&TagSpecification.2.Tag.1.Key=k');
    expect(tagsFromSpecs(p, ['instance', 'volume'], 'instance')).toEqual([{ key: 'cb-vm', value: 'web-1' }]);
    expect(tagsFromSpecs(p, ['instance', 'volume'], 'volume')).toEqual([{ key: 'k', value: '' }]);
    expect(() => tagsFromSpecs(p, ['vpc'], 'vpc')).toThrow(/'instance' is not a valid taggable resource type/);
    expect(() => tagsFromSpecs(form('TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=aws:x'), ['vpc'], 'vpc')).toThrow(/reserved/);
  });

  it('gives a canonical form independent of parameter order', () => {
    expect(form('B=2&A=1&ClientToken=t').canonical(['ClientToken'])).toBe(form('A=1&B=2').canonical([]));
  });
});

describe('filters', () => {
  it('supports * and ? wildcards and escapes', () => {
    expect(wildcardToRegExp('ubuntu/images/*jammy*').test('ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240301')).toBe(true);
    expect(wildcardToRegExp('t3.?').test('t3.x')).toBe(true);
    expect(wildcardToRegExp('t3.?').test('t3.xl')).toBe(false);
    expect(wildcardToRegExp('a\\*').test('a*')).toBe(true);
    expect(wildcardToRegExp('a\\*').test('ab')).toBe(false);
  });

  it('ANDs filters, ORs values, and knows tags', () => {
    const rows = [
      { id: 'a', state: 'running', tags: [{ key: 'env', value: 'prod' }] },
      { id: 'b', state: 'stopped', tags: [{ key: 'env', value: 'dev' }] },
      { id: 'c', state: 'running', tags: [] },
    ];
    const fields = { state: (r: (typeof rows)[number]) => r.state };
    expect(applyFilters(rows, [{ name: 'state', values: ['running', 'stopped'] }, { name: 'tag:env', values: ['*'] }], fields).map((r) => r.id)).toEqual(['a', 'b']);
    expect(applyFilters(rows, [{ name: 'tag-key', values: ['env'] }, { name: 'tag-value', values: ['d*'] }], fields).map((r) => r.id)).toEqual(['b']);
    expect(() => applyFilters(rows, [{ name: 'color', values: ['red'] }], fields)).toThrow(/The filter 'color' is invalid/);
  });
});

describe('paginate', () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ seq: i + 1 }));
  it('pages by position and ends without a token', () => {
    const first = paginate(rows, 5, undefined, { min: 5, max: 1000 }, (r) => r.seq);
    expect(first.items.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    const second = paginate(rows, 5, first.nextToken, { min: 5, max: 1000 }, (r) => r.seq);
    expect(second.items.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
    const third = paginate(rows, 5, second.nextToken, { min: 5, max: 1000 }, (r) => r.seq);
    expect(third.items.map((r) => r.seq)).toEqual([11, 12]);
    expect(third.nextToken).toBeUndefined();
  });

  it('refuses bad sizes and tokens', () => {
    expect(() => paginate(rows, 2, undefined, { min: 5, max: 1000 }, (r) => r.seq)).toThrow(/maxResults is invalid/);
    expect(() => paginate(rows, 5, 'garbage', { min: 5, max: 1000 }, (r) => r.seq)).toThrow(/pagination token/);
  });
});

describe('cidr', () => {
  it('parses and compares ranges', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ base: ipToInt('10.0.0.0'), prefix: 16 });
    expect(parseCidr('10.0.0.1/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    const vpc = parseCidr('10.0.0.0/16')!;
    expect(contains(vpc, parseCidr('10.0.4.0/22')!)).toBe(true);
    expect(contains(vpc, parseCidr('10.1.0.0/24')!)).toBe(false);
    expect(overlaps(parseCidr('10.0.0.0/23')!, parseCidr('10.0.1.0/24')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/24')!, parseCidr('10.0.1.0/24')!)).toBe(false);
    expect(usableAddresses(parseCidr('10.0.1.0/24')!)).toBe(251);
    expect(intToIp(ipToInt('172.31.16.9')!)).toBe('172.31.16.9');
  });
});
