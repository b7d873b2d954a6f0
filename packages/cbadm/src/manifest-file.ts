/** Reads an MCIS manifest named by `-f` (or `-` for stdin) the one way create, plan and apply share. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseMcisManifest, UsageError, type FieldIssue, type McisManifest } from '@cloud-barista/core';

/** The manifest (files[].src made absolute) and its warnings, already printed on stderr. */
export function readMcisManifestFile(source: string): { manifest: McisManifest; warnings: FieldIssue[] } {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read manifest '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'pass an existing YAML file with -f' });
  }
  const v = parseMcisManifest(text, source);
  if (!v.value) throw new UsageError(`invalid manifest ${source}`, { issues: v.errors, hint: 'fix the fields listed above; nothing was changed' });
  for (const w of v.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
  // `files[].src` is relative to the manifest's folder (to the working directory for stdin).
  const base = source === '-' ? process.cwd() : dirname(resolve(source));
  const files = v.value.spec.files?.map((f) => ({ ...f, src: resolve(base, f.src) }));
  return { manifest: files ? { ...v.value, spec: { ...v.value.spec, files } } : v.value, warnings: v.warnings };
}
