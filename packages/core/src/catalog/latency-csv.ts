/**
 * Measured inter-region latency matrices in Cloud-Barista's format (CB-Tumblebug's
 * cloudlatencymap.csv): a header row of `provider-region` names after an empty corner cell, then
 * one row per source region with RTTs in milliseconds; empty cells mean "not measured". The provider
 * is the part before the first dash (`aws-ap-northeast-2` → aws, ap-northeast-2).
 */
import { UsageError } from '../errors.js';
import type { LatencyEntry, RegionRef } from '../records/catalog.js';

export function parseRegionName(name: string): RegionRef | undefined {
  const dash = name.indexOf('-');
  if (dash <= 0 || dash === name.length - 1) return undefined;
  return { provider: name.slice(0, dash).toLowerCase(), region: name.slice(dash + 1) };
}

export interface ParsedLatency {
  entries: LatencyEntry[];
  regions: number;
  /** Cells skipped because they were not numbers (with where). */
  skipped: string[];
}

/** Parses the CSV text; throws UsageError (naming the file, row and column) when its shape is wrong. */
export function parseLatencyCsv(text: string, source = 'latency CSV'): ParsedLatency {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  if (header.length < 2 || header[0] !== '') {
    throw new UsageError(`${source}: the first row must be an empty corner cell followed by region names (provider-region)`, {
      hint: 'use the format of Cloud-Barista cloudlatencymap.csv: ",aws-us-east-1,gcp-us-east4,…" then one row per region',
    });
  }
  const cols: Array<RegionRef | undefined> = header.map((h, i) => {
    if (i === 0 || h === '') return undefined;
    const r = parseRegionName(h);
    if (!r) throw new UsageError(`${source}:1: column ${i + 1} '${h}' is not a provider-region name`, { hint: 'e.g. aws-ap-northeast-2' });
    return r;
  });
  const entries: LatencyEntry[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (let li = 1; li < lines.length; li++) {
    const cells = lines[li]!.split(',');
    const name = cells[0]?.trim() ?? '';
    if (!name) continue;
    const from = parseRegionName(name);
    if (!from) throw new UsageError(`${source}:${li + 1}: '${name}' is not a provider-region name`, { hint: 'e.g. aws-ap-northeast-2' });
    seen.add(name);
    for (let j = 1; j < cells.length; j++) {
      const cell = cells[j]!.trim();
      const to = cols[j];
      if (!cell || !to) continue;
      const ms = Number(cell);
      if (!Number.isFinite(ms) || ms < 0) {
        skipped.push(`${li + 1}:${j + 1}`);
        continue;
      }
      entries.push({ from, to, rttMs: ms });
    }
  }
  if (!entries.length) throw new UsageError(`${source}: no measurements found`, { hint: 'the file needs numeric RTT cells (milliseconds)' });
  return { entries, regions: seen.size, skipped };
}
