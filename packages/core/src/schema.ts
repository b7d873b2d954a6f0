/** The JSON Schema of MCIS manifests, generated from the zod schema so editors and code agree. */
import { z } from 'zod';
import { McisManifest } from './manifest.js';

export function mcisManifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(McisManifest, { io: 'input' }),
    $id: 'https://cloud-barista.io/schema/v1alpha1/mcis.schema.json',
    title: 'Cloud-Barista MCIS manifest',
  };
}
