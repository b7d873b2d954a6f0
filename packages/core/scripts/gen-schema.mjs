// Writes schema/mcis.schema.json from the built zod schema (run after `tsc -b`).
import { writeFileSync } from 'node:fs';
import { mcisManifestJsonSchema } from '../dist/schema.js';

writeFileSync(new URL('../schema/mcis.schema.json', import.meta.url), `${JSON.stringify(mcisManifestJsonSchema(), null, 2)}\n`);
