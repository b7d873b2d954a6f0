/**
 * The cut proto set the GCP clients load (`src/gcp/protos.ts`): the driver's services and everything
 * they reach, nothing missing (a missing type fails only when a call encodes or decodes it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { reachableFrom, USED_SERVICES } from '../src/gcp/protos.js';

type Def = { nested?: Record<string, Def>; methods?: Record<string, { requestType: string; responseType: string }>; fields?: Record<string, { type: string }> };

const require = createRequire(import.meta.url);
const full = JSON.parse(readFileSync(require.resolve('@google-cloud/compute/build/protos/protos.json'), 'utf8')) as { nested: { google: Def } };
const v1 = full.nested.google.nested!.cloud!.nested!.compute!.nested!.v1!;
const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);

/** Type names used inside `def` that resolve neither to a scalar, an enclosing nested type, another package nor a kept definition. */
function unresolved(kept: Record<string, Def>, def: Def, scopes: Def[] = []): string[] {
  const inScope = (name: string): boolean => {
    const head = name.split('.')[0]!;
    return SCALARS.has(name) || name.startsWith('google.') || head in kept || [...scopes, def].some((s) => head in (s.nested ?? {}));
  };
  const names = [...Object.values(def.methods ?? {}).flatMap((m) => [m.requestType, m.responseType]), ...Object.values(def.fields ?? {}).map((f) => f.type)];
  return [...names.filter((n) => !inScope(n)), ...Object.values(def.nested ?? {}).flatMap((inner) => unresolved(kept, inner, [...scopes, def]))];
}

describe('GCP protos cut to what the driver reaches', () => {
  const kept = reachableFrom(v1, USED_SERVICES).nested as Record<string, Def>;

  it('keeps every used service with all its methods, and far fewer types than the SDK ships', () => {
    for (const s of USED_SERVICES) expect(Object.keys(kept[s]?.methods ?? {})).toEqual(Object.keys(v1.nested![s]!.methods!));
    expect(kept).toHaveProperty('Instance');
    expect(kept).toHaveProperty('Operation');
    expect(Object.keys(kept).length).toBeLessThan(Object.keys(v1.nested!).length / 4);
  });

  it('is closed: every type a kept definition names is kept (checked against the whole set)', () => {
    expect(Object.values(kept).flatMap((d) => unresolved(kept, d))).toEqual([]);
    // The check itself finds a hole: drop what Instance needs and it is reported.
    const holed = { ...kept };
    delete holed.AttachedDisk;
    expect(unresolved(holed, kept.Instance!)).toContain('AttachedDisk');
  });

  it('the SDK clients load the cut set and build every service stub on it', async () => {
    // Importing protos.ts (above) put the cut set in the module cache, where the clients' require finds it.
    const loaded = require('@google-cloud/compute/build/protos/protos.json') as { nested: { google: Def } };
    expect(Object.keys(loaded.nested.google.nested!.cloud!.nested!.compute!.nested!.v1!.nested!).sort()).toEqual(Object.keys(kept).sort());
    const m = (await import('@google-cloud/compute/build/src/v1/index.js')) as unknown as Record<string, new (o: object) => { initialize(): Promise<unknown>; close(): Promise<void> }>;
    const opts = { fallback: true, apiEndpoint: '127.0.0.1', port: 9, protocol: 'http', projectId: 'p', credentials: { client_email: 'a@p.iam.gserviceaccount.com', private_key: 'unused' } };
    for (const s of USED_SERVICES) {
      const client = new m[`${s}Client`]!(opts);
      await client.initialize();
      await client.close();
    }
  });
});
