/**
 * Every Compute client parses (and hashes) the API's whole proto set when it is built: 11.7 MB, 2,143
 * types, about a second of CPU in every command that touches GCP. The driver uses ten services, which
 * reach a few hundred types. Imported before the clients, this module puts those services and every
 * type they reach into Node's module cache under the SDK's own file name, so the clients load only
 * them. The subset is computed from the installed SDK's file, so it follows SDK updates.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';

/** The Compute v1 services the driver's clients call (`client.ts`). */
export const USED_SERVICES = [
  'Instances',
  'Networks',
  'Subnetworks',
  'Firewalls',
  'Images',
  'MachineTypes',
  'Regions',
  'ZoneOperations',
  'RegionOperations',
  'GlobalOperations',
] as const;

/** A protobuf.js JSON namespace: nested definitions by name. */
interface ProtoNamespace {
  nested?: Record<string, ProtoDef>;
  options?: unknown;
}
interface ProtoDef extends ProtoNamespace {
  methods?: Record<string, { requestType: string; responseType: string }>;
  fields?: Record<string, { type: string; keyType?: string }>;
}

/**
 * `v1` with only `services` and the definitions they reach (a message keeps its nested types).
 * Names that are not top-level v1 definitions are scalars, nested types of the message naming
 * them, or other packages' types (kept whole).
 */
export function reachableFrom(v1: ProtoNamespace, services: readonly string[]): ProtoNamespace {
  const all = v1.nested ?? {};
  const kept = new Set<string>();
  const visit = (name: string): void => {
    const top = name.split('.')[0]!;
    if (kept.has(top) || !(top in all)) return;
    kept.add(top);
    walk(all[top]!);
  };
  const walk = (def: ProtoDef): void => {
    for (const m of Object.values(def.methods ?? {})) [m.requestType, m.responseType].forEach(visit);
    for (const f of Object.values(def.fields ?? {})) visit(f.type);
    for (const inner of Object.values(def.nested ?? {})) walk(inner);
  };
  services.forEach(visit);
  return { ...v1, nested: Object.fromEntries([...kept].sort().map((name) => [name, all[name]!])) };
}

/** The SDK's proto set with Compute v1 cut down to what `services` reach. */
export function computeProtos(full: { nested: { google: ProtoNamespace } }, services: readonly string[]): unknown {
  const google = full.nested.google;
  const cloud = google.nested!.cloud!;
  const compute = cloud.nested!.compute!;
  const v1 = reachableFrom(compute.nested!.v1!, services);
  return {
    ...full,
    nested: { ...full.nested, google: { ...google, nested: { ...google.nested, cloud: { ...cloud, nested: { ...cloud.nested, compute: { ...compute, nested: { ...compute.nested, v1 } } } } } } },
  };
}

const require = createRequire(import.meta.url);
const file = require.resolve('@google-cloud/compute/build/protos/protos.json');
if (!require.cache[file]) {
  const cached = new Module(file);
  cached.filename = file;
  cached.loaded = true;
  cached.exports = computeProtos(JSON.parse(readFileSync(file, 'utf8')) as { nested: { google: ProtoNamespace } }, USED_SERVICES);
  require.cache[file] = cached;
}
