/**
 * The one way manifests (MCIS, k8s clusters) are read: YAML text → a plain JSON-like value, or field
 * issues that say what is wrong and how to fix it. Pure. Everything a hostile or careless file can
 * do to a parser is refused here as a usage error, before any schema sees it: alias bombs, deep
 * nesting, several documents, values JSON cannot hold (`.inf`, `.nan`, `!!binary`) and huge strings.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { FieldIssue } from '../errors.js';
import { formatPath } from './field-path.js';
import { closest } from './suggest.js';

/** A manifest is a page of YAML, not a data set. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Longer than any name, image URN or label a cloud takes. */
export const MAX_STRING_LENGTH = 4096;
/** Manifests nest a handful of levels; 64 leaves room without letting a file exhaust the stack. */
export const MAX_DEPTH = 64;
/** Aliases a manifest may use: plenty for shared subgroup settings, far below a billion laughs. */
const MAX_ALIASES = 100;

export type ReadResult = { value: unknown; errors: [] } | { value?: undefined; errors: FieldIssue[] };

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, Math.min(offset, text.length));
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

const failed = (errors: FieldIssue[]): ReadResult => ({ errors });

/** Parses one YAML document into plain data; `source` names the file in messages. */
export function readYamlManifest(text: string, source = 'manifest'): ReadResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) {
    return failed([{ path: source, message: `is ${bytes} bytes; a manifest may have at most ${MAX_MANIFEST_BYTES}: is this the right file?` }]);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    return failed(
      doc.errors.map((e) => {
        const at = `${source}:${lineCol(text, e.pos[0])}`;
        if (e.code === 'MULTIPLE_DOCS') return { path: at, message: 'one manifest per file: this file holds several YAML documents (---); split them into separate files' };
        if (e.code === 'RESOURCE_EXHAUSTION') return { path: at, message: `nested too deeply to be a manifest (the limit is ${MAX_DEPTH} levels)` };
        return { path: at, message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    // The yaml library refuses alias expansion past maxAliasCount with a ReferenceError.
    if (e instanceof ReferenceError) {
      return failed([{ path: source, message: `uses YAML aliases (*name) too many times (over ${MAX_ALIASES} expansions): write the values out or reuse fewer anchors` }]);
    }
    throw e;
  }
  const issues = plainDataIssues(value);
  return issues.length ? failed(issues) : { value, errors: [] };
}

/**
 * Walks the value without recursion and reports what JSON cannot carry or what no field needs:
 * non-finite numbers, binary or other non-plain objects, strings over the bound, nesting too deep.
 */
export function plainDataIssues(root: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Array<{ v: unknown; path: PropertyKey[] }> = [{ v: root, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { v, path } = stack.pop()!;
    const at = formatPath(path);
    if (path.length > MAX_DEPTH) {
      issues.push({ path: at, message: `nested too deeply to be a manifest (the limit is ${MAX_DEPTH} levels)` });
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ path: at, message: `${String(v)} (YAML .inf/.nan) is not a number cbadm accepts: give a finite number` });
    } else if (typeof v === 'string') {
      if (v.length > MAX_STRING_LENGTH) issues.push({ path: at, message: `is ${v.length} characters long; the limit is ${MAX_STRING_LENGTH}` });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    } else if (v !== null && typeof v === 'object') {
      if (Object.getPrototypeOf(v) !== Object.prototype) {
        const kind = v instanceof Uint8Array ? 'binary data (!!binary)' : `a ${v.constructor?.name ?? 'non-plain'} value`;
        issues.push({ path: at, message: `is ${kind}; manifests take strings, numbers, booleans, lists and maps` });
        continue;
      }
      for (const [k, item] of Object.entries(v)) {
        if (k.length > MAX_STRING_LENGTH) issues.push({ path: at, message: `has a key ${k.length} characters long; the limit is ${MAX_STRING_LENGTH}` });
        else stack.push({ v: item, path: [...path, k] });
      }
    }
  }
  return issues;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): { present: boolean } {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !(p in v)) return { present: false };
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return { present: v !== undefined };
}

/**
 * Zod's issues as field issues; `input` is what was validated, to tell "missing" from "wrong type".
 * With the `schema`, an unknown key gets the closest known field of its object as a suggestion
 * (`rootDisk.sizeGB` → `sizeGb`), at any depth.
 */
export function zodIssues(error: z.ZodError, input: unknown, schema?: z.ZodType): FieldIssue[] {
  return error.issues.flatMap((i): FieldIssue[] => {
    const path = formatPath(i.path);
    if (i.code === 'unrecognized_keys') {
      const known = schema ? knownKeys(schema, i.path) : [];
      return i.keys.map((k) => {
        const near = closest(k, known) ?? known.find((c) => c.toLowerCase() === k.toLowerCase());
        const fix = near ? `did you mean '${near}'?` : known.length ? `remove it or use one of ${known.join(', ')}` : 'remove it or fix the spelling';
        return { path, message: `unknown field '${k}': ${fix}` };
      });
    }
    const message = i.code === 'invalid_type' ? (valueAt(input, i.path).present ? `must be ${i.expected}` : `is required (${i.expected})`) : i.message;
    return [{ path, message }];
  });
}

/** The schemas a value may be checked against once wrappers (optional, default, union, pipe) are seen through. */
function unwrapped(s: z.ZodType): z.ZodType[] {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) return unwrapped(s.unwrap() as z.ZodType);
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrapped);
  if (s instanceof z.ZodPipe) return unwrapped(s.in as z.ZodType);
  return [s];
}

/** The field names the object at `path` of `schema` accepts (several union members: all of theirs). */
export function knownKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let at = unwrapped(schema);
  for (const p of path) {
    at = at.flatMap((s): z.ZodType[] => {
      if (s instanceof z.ZodObject && typeof p === 'string' && p in s.shape) return unwrapped(s.shape[p] as z.ZodType);
      if (s instanceof z.ZodArray && typeof p === 'number') return unwrapped(s.element as z.ZodType);
      if (s instanceof z.ZodRecord) return unwrapped(s.valueType as z.ZodType);
      return [];
    });
  }
  return [...new Set(at.flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape) : [])))];
}
