/** Tables for catalog, recommendation and plan results. */
import type { CatalogUpdateResult, CreatePlan, ImageListing, RecommendResult, SpecListing } from '@cloud-barista/core';
import { byCause } from './by-cause.js';
import { makeTable } from './render.js';

export function usd(n: number | null | undefined): string | null {
  if (n === null || n === undefined) return null;
  return `$${n < 0.1 ? n.toFixed(4) : n.toFixed(3)}`;
}

const gib = (n: number) => String(+n.toFixed(2));

export function specTable(l: SpecListing): string {
  const head = `${l.matched} of ${l.total} spec(s)`;
  if (!l.specs.length) return `${head}${l.empty ? `: ${l.empty.message}` : ''}`;
  return `${head}\n${makeTable(
    ['PROVIDER', 'REGION', 'SPEC', 'VCPU', 'MEM GIB', 'GPU', 'ARCH', 'USD/H', 'AGE'],
    l.specs.map((s) => [s.provider, s.region, s.name, s.vcpu, gib(s.memoryGiB), s.gpu ? `${s.gpu.count}× ${s.gpu.model}` : null, s.arch, usd(s.pricePerHour), `${s.age}${s.stale ? ' (stale)' : ''}`]),
  )}`;
}

export function imageTable(l: ImageListing): string {
  if (!l.images.length) return 'No images in the catalog match.';
  return makeTable(
    ['PROVIDER', 'REGION', 'ALIAS', 'ID', 'OS', 'ARCH', 'USER', 'CREATED', 'AGE'],
    l.images.map((i) => [i.provider, i.region, i.alias, i.id, i.os, i.arch, i.sshUser, i.createdAt?.slice(0, 10), `${i.age}${i.stale ? ' (stale)' : ''}`]),
  );
}

export function recommendTable(r: RecommendResult): string {
  if (!r.candidates.length) return `No candidate among ${r.considered}: ${r.empty?.message ?? 'nothing matches'}`;
  const weights = Object.entries(r.weights).filter(([, w]) => w > 0).map(([p, w]) => `${p}=${+w.toFixed(2)}`).join(',');
  const rows = makeTable(
    ['#', 'PROVIDER', 'REGION', 'SPEC', 'VCPU', 'MEM GIB', 'USD/H', 'KM', 'RTT MS', 'SCORE', 'CONNECTION'],
    r.candidates.map((c) => [c.rank, c.provider, c.region, c.spec, c.vcpu, gib(c.memoryGiB), usd(c.pricePerHour), c.distanceKm, c.rttMs, c.score.toFixed(3), c.connection]),
  );
  const reasons = r.candidates.map((c) => `#${c.rank} ${Object.entries(c.scores).map(([p, s]) => `${p} ${s.score.toFixed(2)}: ${s.reason}`).join('; ')}`);
  return `${r.matched} of ${r.considered} candidate(s) match; priorities ${weights}\n${rows}\n${reasons.join('\n')}`;
}

export function planTable(p: CreatePlan): string {
  const lines = [
    `Plan for MCIS ${p.ns}/${p.name} (dry run; nothing changed): ${p.vms.length} VM(s), on failure: ${p.onFailure}, parallelism ${p.parallelism}/region`,
    makeTable(
      ['SUBGROUP', 'CONNECTION', 'PROVIDER', 'REGION', 'SPEC', 'IMAGE', 'COUNT', 'USD/H EACH', 'USD/H', 'PLACED BY'],
      p.subgroups.map((s) => [s.name, s.connection, s.provider, s.region, s.spec, s.imageId ? `${s.image} (${s.imageId})` : s.image, s.count, usd(s.pricePerHour), usd(s.costPerHour), s.placedBy]),
    ),
    `Total: ${p.totalCostPerHour === null ? 'unknown (some specs have no price: run `cbadm catalog update`)' : `${usd(p.totalCostPerHour)}/h`}`,
  ];
  for (const s of p.subgroups.filter((x) => x.reasons.length)) lines.push(`${s.name}: ${s.reasons.join('; ')}`);
  if (p.existing) lines.push(existingNote(p));
  return lines.join('\n');
}

/** What create would do with the MCIS already recorded under the manifest's name. */
function existingNote(p: CreatePlan): string {
  const e = p.existing!;
  const head = `MCIS ${p.ns}/${p.name} already exists (${e.status}).`;
  if (!e.differences.length) return `${head} The manifest matches it: create would continue it (VMs not running are launched again).`;
  return [`${head} The manifest differs from it, so create would refuse (exit 5); \`cbadm plan -f FILE\` shows what \`cbadm apply -f FILE\` would change:`, ...e.differences.map((d) => `  ${d}`)].join('\n');
}

/** The regions that failed, grouped by cause (most regions first), one line per region under its cause. */
export function failedRegions(failed: CatalogUpdateResult['failed']): string {
  const groups = byCause(failed, (f) => f.error);
  const lines = [`${failed.length} region(s) failed (their previous data is kept), ${groups.length} cause(s):`];
  for (const [cause, list] of groups) lines.push(`  ${cause}`, ...list.map((f) => `    ${f.provider} ${f.region} (${f.connection})`));
  return lines.join('\n');
}
