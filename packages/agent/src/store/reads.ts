/** Reading samples back: a metric's series (raw, then rollups where raw is gone), the newest samples, exports, stats. */
import type Database from 'better-sqlite3';
import type { Sample, VmRef } from '../sample.js';
import { decodePoints, decodeValues, type Column } from './layout.js';
import type { AggPoint, SeriesData } from './types.js';
import { MINUTE, type VmFilter, type VmLayouts, type VmRow } from './vms.js';

export interface StoredSample {
  ref: VmRef;
  seq: number;
  tsMs: number;
  cols: Column[];
  /** Encoded (see layout.ts); `decode` turns it into points. */
  vals: Buffer;
}

/**
 * The points of `metric` for the selected VMs in [fromMs, toMs]: raw samples where they exist,
 * 1-minute rollups for whole minutes before each VM's oldest raw sample (older than retention).
 */
export function readMetric(
  db: Database.Database,
  vl: VmLayouts,
  opts: { filter: VmFilter; metric: string; fromMs: number; toMs: number },
): SeriesData[] {
  const out = new Map<string, SeriesData>();
  const add = (vm: VmRow, tags: string, p: AggPoint) => {
    const key = `${vm.id}\t${tags}`;
    let s = out.get(key);
    if (!s) {
      s = {
        ref: { ns: vm.ns, mcis: vm.mcis, vm: vm.vm, subgroup: vm.subgroup, csp: vm.csp, region: vm.region },
        metric: opts.metric,
        tags,
        points: [],
      };
      out.set(key, s);
    }
    s.points.push(p);
  };
  const oldestRaw = db.prepare('SELECT MIN(ts) AS ts FROM samples WHERE vm_id = ?');
  const raw = db.prepare(
    'SELECT ts, layout_id, vals FROM samples WHERE vm_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
  );
  const rolled = db.prepare(
    'SELECT ts, layout_id, n, vals FROM rollups WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
  );
  for (const vm of vl.vms(opts.filter)) {
    const first = (oldestRaw.get(vm.id) as { ts: number | null }).ts ?? opts.toMs + 1;
    if (opts.fromMs < first) {
      const rollFrom = Math.floor(opts.fromMs / MINUTE) * MINUTE;
      const rollTo = Math.min(Math.floor(first / MINUTE) * MINUTE, opts.toMs + 1);
      for (const r of rolled.iterate(vm.id, rollFrom, rollTo) as Iterable<{
        ts: number;
        layout_id: number;
        n: number;
        vals: Buffer;
      }>) {
        for (const { index, tags } of vl.indexesOf(r.layout_id, opts.metric)) {
          const at = index * 4 * 8;
          add(vm, tags, {
            ts: r.ts,
            min: r.vals.readDoubleLE(at),
            max: r.vals.readDoubleLE(at + 8),
            sum: r.vals.readDoubleLE(at + 16),
            n: r.n,
            last: r.vals.readDoubleLE(at + 24),
          });
        }
      }
    }
    for (const r of raw.iterate(vm.id, opts.fromMs, opts.toMs) as Iterable<{
      ts: number;
      layout_id: number;
      vals: Buffer;
    }>) {
      const wanted = vl.indexesOf(r.layout_id, opts.metric);
      if (wanted.length === 0) continue;
      const values = decodeValues(r.vals);
      for (const { index, tags } of wanted) {
        const v = values[index]!;
        add(vm, tags, { ts: r.ts, min: v, max: v, sum: v, n: 1, last: v });
      }
    }
  }
  return [...out.values()];
}

/** Each selected VM's newest sample, if it is not older than `notBeforeMs`. */
export function latest(
  db: Database.Database,
  vl: VmLayouts,
  filter: VmFilter,
  notBeforeMs = 0,
): StoredSample[] {
  const q = db.prepare(
    'SELECT ts, seq, layout_id, vals FROM samples WHERE vm_id = ? ORDER BY ts DESC LIMIT 1',
  );
  const out: StoredSample[] = [];
  for (const vm of vl.vms(filter)) {
    const r = q.get(vm.id) as { ts: number; seq: number; layout_id: number; vals: Buffer } | undefined;
    if (!r || r.ts < notBeforeMs) continue;
    out.push({ ref: vm, seq: r.seq, tsMs: r.ts, cols: vl.columns(r.layout_id), vals: r.vals });
  }
  return out;
}

/** Samples in (afterMs, toMs] of the selected VMs, VM by VM, oldest first (for export). */
export function* samplesBetween(
  db: Database.Database,
  vl: VmLayouts,
  filter: VmFilter,
  afterMs: number,
  toMs: number,
): Generator<StoredSample> {
  const q = db.prepare(
    'SELECT ts, seq, layout_id, vals FROM samples WHERE vm_id = ? AND ts > ? AND ts <= ? ORDER BY ts',
  );
  for (const vm of vl.vms(filter)) {
    for (const r of q.iterate(vm.id, afterMs, toMs) as Iterable<{
      ts: number;
      seq: number;
      layout_id: number;
      vals: Buffer;
    }>) {
      yield { ref: vm, seq: r.seq, tsMs: r.ts, cols: vl.columns(r.layout_id), vals: r.vals };
    }
  }
}

export function decode(s: StoredSample): Sample {
  const { ref } = s;
  return {
    ref: {
      ns: ref.ns,
      mcis: ref.mcis,
      vm: ref.vm,
      subgroup: ref.subgroup,
      csp: ref.csp,
      region: ref.region,
    },
    seq: s.seq,
    tsMs: s.tsMs,
    points: decodePoints(s.cols, decodeValues(s.vals)),
  };
}

/** Count and time span of the stored raw samples, and the file size. */
export function stats(db: Database.Database): {
  samples: number;
  rollups: number;
  oldestMs: number | null;
  newestMs: number | null;
  bytes: number;
} {
  const s = db.prepare('SELECT COUNT(*) AS n, MIN(ts) AS lo, MAX(ts) AS hi FROM samples').get() as {
    n: number;
    lo: number | null;
    hi: number | null;
  };
  const r = db.prepare('SELECT COUNT(*) AS n FROM rollups').get() as { n: number };
  const pages = db.pragma('page_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return { samples: s.n, rollups: r.n, oldestMs: s.lo, newestMs: s.hi, bytes: pages * size };
}
