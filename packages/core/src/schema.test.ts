import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mcisManifestJsonSchema } from './schema.js';

describe('committed JSON Schema', () => {
  it('matches the zod schema (regenerate with `npm run schema -w @cloud-barista/core`)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../schema/mcis.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(mcisManifestJsonSchema())));
  });
  it('describes the fields editors complete', () => {
    const s = mcisManifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(s.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(s.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec']));
  });
});
