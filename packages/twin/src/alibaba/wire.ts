/**
 * ECS's wire format: flat `Name.N.Field` parameters in, one object out, as JSON (the SDKs) or XML
 * (`Format=XML`, Apache Libcloud). A list is `{Instances: {Instance: [...]}}` in JSON and repeated
 * `<Instance>` elements in XML, so one object renders both ways.
 */
import { invalid, missing } from './errors.js';

export type WireValue = string | number | boolean | null | undefined | WireObject | WireValue[];
export interface WireObject {
  [key: string]: WireValue;
}

/** One request's parameters with ECS's typed readers. */
export class Params {
  constructor(private readonly p: URLSearchParams) {}

  get(name: string): string | undefined {
    const v = this.p.get(name);
    return v === null || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw missing(name);
    return v;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, `expected an integer in ${min}..${max}, got '${v}'`);
    return n;
  }

  bool(name: string): boolean {
    return this.get(name)?.toLowerCase() === 'true';
  }

  /** `Name.1`, `Name.2`, … in order. */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; i <= 100; i++) {
      const v = this.get(`${name}.${i}`);
      if (v === undefined) break;
      out.push(v);
    }
    return out;
  }

  /** A JSON array parameter (`InstanceIds=["i-…"]`), or the `.N` form. */
  jsonList(name: string): string[] | undefined {
    const v = this.get(name);
    if (v === undefined) {
      const l = this.list(name.replace(/s$/, ''));
      return l.length > 0 ? l : undefined;
    }
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      // fall through
    }
    throw invalid(name, 'expected a JSON array of strings');
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs. */
  tags(): { TagKey: string; TagValue: string }[] {
    const out: { TagKey: string; TagValue: string }[] = [];
    for (let i = 1; i <= 20; i++) {
      const key = this.get(`Tag.${i}.Key`);
      if (key === undefined) break;
      out.push({ TagKey: key, TagValue: this.get(`Tag.${i}.Value`) ?? '' });
    }
    return out;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlOf(name: string, v: WireValue): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((item) => xmlOf(name, item)).join('');
  if (v !== null && typeof v === 'object') {
    return `<${name}>${Object.entries(v).map(([k, x]) => xmlOf(k, x)).join('')}</${name}>`;
  }
  return v === null || v === '' ? `<${name}/>` : `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** The body ECS sends for `root` (`DescribeInstancesResponse`, `Error`) in the asked format. */
export function render(format: 'JSON' | 'XML', root: string, body: WireObject): { contentType: string; text: string } {
  if (format === 'XML') return { contentType: 'text/xml;charset=utf-8', text: `<?xml version='1.0' encoding='UTF-8'?>${xmlOf(root, body)}` };
  return { contentType: 'application/json;charset=utf-8', text: JSON.stringify(body) };
}

/** ECS's time format: minutes, UTC (`2024-10-01T03:04Z`). */
export function ecsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/:\d\d\.\d+Z$/, 'Z');
}
