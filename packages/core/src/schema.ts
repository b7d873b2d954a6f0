/** The JSON Schema of MCIS manifests, generated from the zod schema so editors and code agree. */
import { z } from 'zod';
import { McisManifest } from './manifest.js';

export function mcisManifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(McisManifest, { io: 'input' }) as Record<string, unknown>;
  // zod cannot say "connection + spec, or requirements" (validateMcisManifest checks it); editors can.
  const items = (schema as { properties?: { spec?: { properties?: { subgroups?: { items?: Record<string, unknown> } } } } }).properties?.spec?.properties?.subgroups?.items;
  if (items) {
    items.oneOf = [
      { required: ['connection', 'spec'], not: { required: ['requirements'] } },
      { required: ['requirements'], not: { anyOf: [{ required: ['connection'] }, { required: ['spec'] }] } },
    ];
  }
  return {
    ...schema,
    $id: 'https://cloud-barista.io/schema/v1alpha1/mcis.schema.json',
    title: 'Cloud-Barista MCIS manifest',
  };
}
