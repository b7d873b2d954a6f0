/** How a manifest differs from the MCIS already recorded under its name: what `--dry-run` reports. */
import type { Subgroup } from '../model.js';

const FIELDS = ['connection', 'count', 'spec', 'image', 'sshUser'] as const;
const show = (v: string | number | object | undefined | null): string => (v === undefined || v === null ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One line per difference, recorded → manifest (`seoul: count 2 → 3`, `subgroup osaka: added`); empty when they match. */
export function subgroupDifferences(recorded: readonly Subgroup[], manifest: readonly Subgroup[]): string[] {
  const out: string[] = [];
  for (const m of manifest) {
    const r = recorded.find((s) => s.name === m.name);
    if (!r) {
      out.push(`subgroup ${m.name}: added (${m.count} × ${m.spec} on ${m.connection})`);
      continue;
    }
    for (const f of FIELDS) if (show(r[f]) !== show(m[f])) out.push(`${m.name}: ${f} ${show(r[f])} → ${show(m[f])}`);
    if (show(r.rootDisk) !== show(m.rootDisk)) out.push(`${m.name}: rootDisk ${show(r.rootDisk)} → ${show(m.rootDisk)}`);
    if (show(r.requirements) !== show(m.requirements)) out.push(`${m.name}: requirements ${show(r.requirements)} → ${show(m.requirements)}`);
  }
  for (const r of recorded) if (!manifest.some((m) => m.name === r.name)) out.push(`subgroup ${r.name}: not in the manifest (${r.count} × ${r.spec} on ${r.connection})`);
  return out;
}
