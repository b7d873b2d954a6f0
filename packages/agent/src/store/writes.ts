/**
 * Writing samples: one transaction stores a batch and moves the agents' cursors, so a cursor never
 * runs ahead of the samples it covers.
 */
import type Database from 'better-sqlite3';
import type { Sample } from '../sample.js';
import { encodePoints } from './layout.js';
import type { Cursor } from './types.js';
import { MINUTE, type VmLayouts } from './vms.js';

/** What a write changed: new samples, and the VM-minutes whose rollups are now out of date. */
export interface WriteOutcome {
  inserted: number;
  touched: VmMinute[];
  /** Samples not stored because their VM already has MAX_LAYOUTS_PER_VM layouts. */
  refused: number;
}

/** Columns (metric × series) in one sample. */
export const MAX_COLUMNS_PER_SAMPLE = 2_000;

export interface VmMinute {
  vmId: number;
  /** Epoch ms, minute-aligned. */
  minute: number;
}

/**
 * Stores samples (a sample already stored, same VM and time, is skipped: replays after a reconnect
 * are harmless) and moves the agents' cursors, in one transaction: a cursor never runs ahead of
 * the samples it covers. Returns how many samples were new.
 */
export function writeSamples(
  db: Database.Database,
  vl: VmLayouts,
  samples: Sample[],
  cursors: Cursor[] = [],
): WriteOutcome {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO samples(vm_id, ts, seq, layout_id, vals) VALUES (?, ?, ?, ?, ?)',
  );
  const cursor = db.prepare(
    `UPDATE agents SET last_seq = ?, last_ts = ?, epoch = COALESCE(?, epoch), lost = lost + ?
     WHERE ns = ? AND mcis = ? AND vm = ?`,
  );
  const run = db.transaction(() => {
    let inserted = 0;
    let refused = 0;
    const touched = new Map<string, { vmId: number; minute: number }>();
    for (const s of samples) {
      const vm = vl.vmRow(s.ref);
      const { cols, vals } = encodePoints(s.points);
      if (cols.length === 0) continue;
      if (cols.length > MAX_COLUMNS_PER_SAMPLE) {
        refused++;
        continue;
      }
      const layout = vl.layoutId(cols);
      if (!vl.layoutAllowed(vm.id, layout)) {
        refused++;
        continue;
      }
      if (insert.run(vm.id, s.tsMs, s.seq, layout, vals).changes > 0) {
        inserted++;
        const minute = Math.floor(s.tsMs / MINUTE) * MINUTE;
        touched.set(`${vm.id}/${minute}`, { vmId: vm.id, minute });
      }
    }
    for (const c of cursors)
      cursor.run(c.lastSeq, c.lastTs, c.epoch ?? null, c.lostDelta ?? 0, c.ns, c.mcis, c.vm);
    return { inserted, refused, touched: [...touched.values()] };
  });
  try {
    return run.immediate();
  } catch (e) {
    // A rolled-back transaction may have left pairs in the cache that are not in the file.
    vl.forgetVmLayouts();
    throw e;
  }
}
