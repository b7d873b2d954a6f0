/**
 * Reading EC2 Query API parameters (`Filter.1.Name=…&Filter.1.Value.1=…`) from a form body.
 */
import { Ec2Error, err } from './errors.js';

export interface Filter {
  name: string;
  values: string[];
}

export interface TagSpec {
  resourceType: string;
  tags: { key: string; value: string }[];
}

export class Params {
  private readonly map: Map<string, string>;

  constructor(source: URLSearchParams | Map<string, string>) {
    if (source instanceof Map) {
      this.map = source;
    } else {
      this.map = new Map();
      for (const [k, v] of source) this.map.set(k, v);
    }
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  str(name: string): string | undefined {
    return this.map.get(name);
  }

  req(name: string): string {
    const v = this.map.get(name);
    if (v === undefined || v === '') throw err.missing(name);
    return v;
  }

  int(name: string): number | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw err.invalidValue(name, v);
    return Number(v);
  }

  bool(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === '') return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw err.invalidValue(name, v);
  }

  /** Scalars `prefix.1`, `prefix.2`, … in index order. */
  list(prefix: string): string[] {
    return this.indexed(prefix)
      .filter(([, rest]) => rest === '')
      .map(([, , v]) => v);
  }

  /** Structures `prefix.N.*`, each as its own Params with the `prefix.N.` part removed. */
  structs(prefix: string): Params[] {
    const groups = new Map<number, Map<string, string>>();
    for (const [n, rest, v] of this.indexed(prefix)) {
      if (!rest.startsWith('.')) continue;
      let g = groups.get(n);
      if (!g) groups.set(n, (g = new Map<string, string>()));
      g.set(rest.slice(1), v);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => new Params(g));
  }

  /** A sub-structure `prefix.*` (e.g. `MapPublicIpOnLaunch.Value`). */
  sub(prefix: string): Params {
    const m = new Map<string, string>();
    for (const [k, v] of this.map) if (k.startsWith(`${prefix}.`)) m.set(k.slice(prefix.length + 1), v);
    return new Params(m);
  }

  filters(): Filter[] {
    return this.structs('Filter').map((f) => {
      const name = f.str('Name');
      if (!name) throw err.missing('Filter.Name');
      return { name, values: f.list('Value') };
    });
  }

  tagSpecs(): TagSpec[] {
    return this.structs('TagSpecification').map((s) => ({
      resourceType: s.req('ResourceType'),
      tags: readTags(s.structs('Tag')),
    }));
  }

  /** All entries except the ones named, sorted: the identity of a request for idempotency. */
  canonical(exclude: readonly string[]): string {
    return [...this.map.entries()]
      .filter(([k]) => !exclude.includes(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  }

  private indexed(prefix: string): [number, string, string][] {
    const out: [number, string, string][] = [];
    const p = `${prefix}.`;
    for (const [k, v] of this.map) {
      if (!k.startsWith(p)) continue;
      const m = /^(\d+)(.*)$/.exec(k.slice(p.length));
      if (!m) continue;
      out.push([Number(m[1]), m[2] ?? '', v]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}

const MAX_KEY = 128;
const MAX_VALUE = 256;

export function readTags(structs: Params[]): { key: string; value: string }[] {
  return structs.map((t) => {
    const key = t.str('Key');
    if (key === undefined || key === '') throw err.missing('Tag.Key');
    const value = t.str('Value') ?? '';
    validateTag(key, value);
    return { key, value };
  });
}

export function validateTag(key: string, value: string): void {
  if (key.length > MAX_KEY) {
    throw new Ec2Error('InvalidParameterValue', `Tag key exceeds the maximum length of ${MAX_KEY} characters`);
  }
  if (value.length > MAX_VALUE) {
    throw new Ec2Error('InvalidParameterValue', `Tag value exceeds the maximum length of ${MAX_VALUE} characters`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new Ec2Error('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
  }
}

/**
 * Tags from TagSpecifications for one resource type of this call. A spec naming a type the call
 * cannot tag is an error, as in EC2.
 */
export function tagsFromSpecs(p: Params, allowed: readonly string[], type: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const spec of p.tagSpecs()) {
    if (!allowed.includes(spec.resourceType)) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `'${spec.resourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    if (spec.resourceType === type) out.push(...spec.tags);
  }
  return out;
}
