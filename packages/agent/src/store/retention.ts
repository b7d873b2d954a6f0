/** Rollups and retention: 1-minute aggregates of the raw samples, and pruning both by age. */
import type Database from 'better-sqlite3';
import { columnKey, decodeValues } from './layout.js';
import type { VmMinute } from './writes.js';
import { MINUTE, type VmLayouts } from './vms.js';

/**
 * (Re)computes the 1-minute rollups of the given VM-minutes from the raw samples. Safe to repeat:
 * late samples (a ring replayed after a gap) are folded in when their minute is rolled up again.
 */
export function rollup(db: Database.Database, vl: VmLayouts, items: Iterable<VmMinute>): number {
  const rows = db.prepare(
    'SELECT layout_id, vals FROM samples WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
  );
  const put = db.prepare(
    'INSERT OR REPLACE INTO rollups(vm_id, ts, layout_id, n, vals) VALUES (?, ?, ?, ?, ?)',
  );
  let written = 0;
  db.transaction(() => {
    for (const { vmId, minute } of items) {
      const keys: string[] = [];
      const index = new Map<string, number>();
      const agg: number[][] = [];
      let n = 0;
      for (const r of rows.iterate(vmId, minute, minute + MINUTE) as Iterable<{
        layout_id: number;
        vals: Buffer;
      }>) {
        n++;
        const values = decodeValues(r.vals);
        vl.columns(r.layout_id).forEach((c, i) => {
          const key = columnKey(c);
          const v = values[i]!;
          let at = index.get(key);
          if (at === undefined) {
            at = keys.length;
            keys.push(key);
            index.set(key, at);
            agg.push([v, v, 0, v]);
          }
          const g = agg[at]!;
          g[0] = Math.min(g[0]!, v);
          g[1] = Math.max(g[1]!, v);
          g[2]! += v;
          g[3] = v;
        });
      }
      if (n === 0) continue;
      const vals = Buffer.allocUnsafe(keys.length * 4 * 8);
      agg.forEach((g, i) => g.forEach((v, j) => vals.writeDoubleLE(v, (i * 4 + j) * 8)));
      put.run(vmId, minute, vl.layoutId(keys), n, vals);
      written++;
    }
  }).immediate();
  return written;
}

/**
 * VM-minutes after each VM's newest rollup that have raw samples, before `beforeMs`'s minute:
 * what a collector that stopped (or crashed) left to roll up. Index range scans only.
 */
export function minutesWithoutRollup(db: Database.Database, vl: VmLayouts, beforeMs: number): VmMinute[] {
  const end = Math.floor(beforeMs / MINUTE) * MINUTE;
  const lastRollup = db.prepare('SELECT MAX(ts) AS ts FROM rollups WHERE vm_id = ?');
  const minutes = db.prepare(
    `SELECT DISTINCT (ts / ${MINUTE}) * ${MINUTE} AS m FROM samples WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY m`,
  );
  const out: VmMinute[] = [];
  for (const vm of vl.vms()) {
    const from = ((lastRollup.get(vm.id) as { ts: number | null }).ts ?? -MINUTE) + MINUTE;
    for (const r of minutes.all(vm.id, from, end) as Array<{ m: number }>)
      out.push({ vmId: vm.id, minute: r.m });
  }
  return out;
}

/** Drops raw samples older than `rawBeforeMs` and rollups older than `rollupBeforeMs`, VM by VM (index ranges). */
export function prune(
  db: Database.Database,
  vl: VmLayouts,
  rawBeforeMs: number,
  rollupBeforeMs: number,
): { samples: number; rollups: number } {
  const raw = db.prepare('DELETE FROM samples WHERE vm_id = ? AND ts < ?');
  const rolled = db.prepare('DELETE FROM rollups WHERE vm_id = ? AND ts < ?');
  return db
    .transaction(() => {
      let samples = 0;
      let rollups = 0;
      for (const vm of vl.vms()) {
        samples += raw.run(vm.id, rawBeforeMs).changes;
        rollups += rolled.run(vm.id, rollupBeforeMs).changes;
      }
      return { samples, rollups };
    })
    .immediate();
}
