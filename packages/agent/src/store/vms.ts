/**
 * The VM and layout tables every part of the metrics store reads: a sample names its VM and its
 * layout (the set of columns) by id, and both are memoised here, so one instance per open store.
 */
import type Database from 'better-sqlite3';
import type { VmRef } from '../sample.js';
import { parseColumnKey, type Column } from './layout.js';

export interface VmRow extends VmRef {
  id: number;
}

export interface VmFilter {
  ns?: string;
  mcis?: string;
  vms?: string[];
}

/**
 * A VM's distinct sets of series (a new disk or interface makes one): a writer inventing a new tag
 * value per sample must not grow the layout table without end.
 */
export const MAX_LAYOUTS_PER_VM = 1_000;

export const MINUTE = 60_000;

export class VmLayouts {
  private readonly vmIds = new Map<string, VmRow>();
  private readonly layoutIds = new Map<string, number>();
  private readonly layoutCols = new Map<number, Column[]>();
  private readonly vmLayouts = new Map<number, Set<number>>();
  private readonly metricCols = new Map<string, Array<{ index: number; tags: string }>>();

  constructor(private readonly db: Database.Database) {}

  /** The VM's row, created or updated (its subgroup, CSP or region may change). */
  vmRow(ref: VmRef): VmRow {
    const key = `${ref.ns}/${ref.mcis}/${ref.vm}`;
    const cached = this.vmIds.get(key);
    if (cached && cached.subgroup === ref.subgroup && cached.csp === ref.csp && cached.region === ref.region)
      return cached;
    this.db
      .prepare(
        `INSERT INTO vms(ns, mcis, vm, subgroup, csp, region) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(ns, mcis, vm) DO UPDATE SET subgroup = excluded.subgroup, csp = excluded.csp, region = excluded.region`,
      )
      .run(ref.ns, ref.mcis, ref.vm, ref.subgroup, ref.csp, ref.region);
    const row = this.db
      .prepare('SELECT id, ns, mcis, vm, subgroup, csp, region FROM vms WHERE ns = ? AND mcis = ? AND vm = ?')
      .get(ref.ns, ref.mcis, ref.vm) as VmRow;
    this.vmIds.set(key, row);
    return row;
  }

  layoutId(cols: string[]): number {
    const json = JSON.stringify(cols);
    const cached = this.layoutIds.get(json);
    if (cached !== undefined) return cached;
    this.db.prepare('INSERT INTO layouts(cols) VALUES (?) ON CONFLICT(cols) DO NOTHING').run(json);
    const { id } = this.db.prepare('SELECT id FROM layouts WHERE cols = ?').get(json) as { id: number };
    this.layoutIds.set(json, id);
    return id;
  }

  /** Whether `vmId` may store a sample of `layoutId` (records the pair when it is new and allowed). */
  layoutAllowed(vmId: number, layoutId: number): boolean {
    let set = this.vmLayouts.get(vmId);
    if (!set) {
      set = new Set(
        (
          this.db.prepare('SELECT layout_id FROM vm_layouts WHERE vm_id = ?').all(vmId) as Array<{
            layout_id: number;
          }>
        ).map((r) => r.layout_id),
      );
      this.vmLayouts.set(vmId, set);
    }
    if (set.has(layoutId)) return true;
    if (set.size >= MAX_LAYOUTS_PER_VM) return false;
    this.db.prepare('INSERT OR IGNORE INTO vm_layouts(vm_id, layout_id) VALUES (?, ?)').run(vmId, layoutId);
    set.add(layoutId);
    return true;
  }

  /** Drops the VM-layout pairs cached: a rolled-back transaction may have left some that are not in the file. */
  forgetVmLayouts(): void {
    this.vmLayouts.clear();
  }

  /** Layouts a VM has used (for `vm_layouts`' bound). */
  layoutCount(ns: string, mcis: string, vm: string): number {
    return (
      this.db
        .prepare(
          'SELECT COUNT(*) AS n FROM vm_layouts JOIN vms ON vms.id = vm_layouts.vm_id WHERE ns = ? AND mcis = ? AND vm = ?',
        )
        .get(ns, mcis, vm) as { n: number }
    ).n;
  }

  columns(layoutId: number): Column[] {
    let cols = this.layoutCols.get(layoutId);
    if (!cols) {
      const row = this.db.prepare('SELECT cols FROM layouts WHERE id = ?').get(layoutId) as
        { cols: string } | undefined;
      cols = row ? (JSON.parse(row.cols) as string[]).map(parseColumnKey) : [];
      this.layoutCols.set(layoutId, cols);
    }
    return cols;
  }

  /** Column indexes of `metric` in a layout, memoised. */
  indexesOf(layoutId: number, metric: string): Array<{ index: number; tags: string }> {
    const key = `${layoutId}\t${metric}`;
    let hit = this.metricCols.get(key);
    if (!hit) {
      hit = [];
      this.columns(layoutId).forEach((c, index) => {
        if (c.field === metric) hit!.push({ index, tags: c.tags });
      });
      this.metricCols.set(key, hit);
    }
    return hit;
  }

  /** VMs known to the store, optionally filtered. */
  vms(filter: VmFilter = {}): VmRow[] {
    const rows = this.db
      .prepare('SELECT id, ns, mcis, vm, subgroup, csp, region FROM vms ORDER BY ns, mcis, vm')
      .all() as VmRow[];
    return rows.filter(
      (r) =>
        (filter.ns === undefined || r.ns === filter.ns) &&
        (filter.mcis === undefined || r.mcis === filter.mcis) &&
        (!filter.vms || filter.vms.includes(r.vm)),
    );
  }
}
