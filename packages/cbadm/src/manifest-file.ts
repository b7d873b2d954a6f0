/** Reads an MCIS manifest named by `-f` (or `-` for stdin) the one way create, plan and apply share. */
import { readFileSync } from 'node:fs';
import { parseMcisManifest, UsageError, type McisManifest } from '@cloud-barista/core';

export function readMcisManifestFile(source: string): McisManifest {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read manifest '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'pass an existing YAML file with -f' });
  }
  const v = parseMcisManifest(text, source);
  if (!v.value) throw new UsageError(`invalid manifest ${source}`, { issues: v.errors, hint: 'fix the fields listed above; nothing was changed' });
  for (const w of v.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
  return v.value;
}
