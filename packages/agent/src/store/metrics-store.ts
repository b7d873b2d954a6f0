/**
 * The embedded metrics store: SQLite (WAL) at `$CB_HOME/metrics.db`, separate from the state store
 * so a busy collector never makes `cbadm` wait. Samples are written by one collector at a time (it
 * holds a lock in the state store); any command may read.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import type { VmRef, Sample } from '../sample.js';
import {
  columnKey,
  decodePoints,
  decodeValues,
  encodePoints,
  parseColumnKey,
  type Column,
} from './layout.js';
import { METRICS_MIGRATIONS } from './schema.js';
import type { AgentRecord, AggPoint, Cursor, SeriesData } from './types.js';

interface VmRow extends VmRef {
  id: number;
}

interface AgentRow {
  ns: string;
  mcis: string;
  vm: string;
  mode: string;
  interval_s: number;
  ring_s: number;
  version: string;
  push_url: string | null;
  installed_at: string;
  epoch: string | null;
  last_seq: number;
  last_ts: number | null;
  lost: number;
}

export interface VmFilter {
  ns?: string;
  mcis?: string;
  vms?: string[];
}

/** What a write changed: new samples, and the VM-minutes whose rollups are now out of date. */
export interface WriteOutcome {
  inserted: number;
  touched: VmMinute[];
  /** Samples not stored because their VM already has MAX_LAYOUTS_PER_VM layouts. */
  refused: number;
}

/**
 * A VM's distinct sets of series (a new disk or interface makes one): a writer inventing a new tag
 * value per sample must not grow the layout table without end.
 */
export const MAX_LAYOUTS_PER_VM = 1_000;
/** Columns (metric × series) in one sample. */
export const MAX_COLUMNS_PER_SAMPLE = 2_000;

export interface VmMinute {
  vmId: number;
  /** Epoch ms, minute-aligned. */
  minute: number;
}

export interface StoredSample {
  ref: VmRef;
  seq: number;
  tsMs: number;
  cols: Column[];
  /** Encoded (see layout.ts); `decode` turns it into points. */
  vals: Buffer;
}

const MINUTE = 60_000;

function toAgent(r: AgentRow): AgentRecord {
  return {
    ns: r.ns,
    mcis: r.mcis,
    vm: r.vm,
    mode: r.mode === 'push' ? 'push' : 'pull',
    intervalS: r.interval_s,
    ringS: r.ring_s,
    version: r.version,
    pushUrl: r.push_url,
    installedAt: r.installed_at,
    epoch: r.epoch,
    lastSeq: r.last_seq,
    lastTs: r.last_ts,
    lost: r.lost,
  };
}

export class MetricsStore {
  private readonly db: Database.Database;
  private readonly vmIds = new Map<string, VmRow>();
  private readonly layoutIds = new Map<string, number>();
  private readonly layoutCols = new Map<number, Column[]>();
  private readonly vmLayouts = new Map<number, Set<number>>();

  /**
   * `busyTimeoutMs`: how long a write waits for another writer. better-sqlite3 waits synchronously,
   * so a process with an event loop to keep (the collector) passes a short one and retries later.
   */
  constructor(
    readonly path: string,
    opts: { busyTimeoutMs?: number } = {},
  ) {
    // Push tokens are inside: owner-only, and so are the WAL and shared-memory files SQLite adds.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 10_000))}`);
    this.migrate();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      try {
        chmodSync(f, 0o600);
      } catch {
        // not there (yet), or not ours to change: a reader opening someone else's store
      }
    }
  }

  setBusyTimeout(ms: number): void {
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current >= METRICS_MIGRATIONS.length) return;
    this.db
      .transaction(() => {
        const again = this.db.pragma('user_version', { simple: true }) as number;
        for (let v = again; v < METRICS_MIGRATIONS.length; v++) {
          this.db.exec(METRICS_MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        }
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }

  // ── VMs and layouts ────────────────────────────────────────────────────────
  private vmRow(ref: VmRef): VmRow {
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

  private layoutId(cols: string[]): number {
    const json = JSON.stringify(cols);
    const cached = this.layoutIds.get(json);
    if (cached !== undefined) return cached;
    this.db.prepare('INSERT INTO layouts(cols) VALUES (?) ON CONFLICT(cols) DO NOTHING').run(json);
    const { id } = this.db.prepare('SELECT id FROM layouts WHERE cols = ?').get(json) as { id: number };
    this.layoutIds.set(json, id);
    return id;
  }

  /** Whether `vmId` may store a sample of `layoutId` (records the pair when it is new and allowed). */
  private layoutAllowed(vmId: number, layoutId: number): boolean {
    let set = this.vmLayouts.get(vmId);
    if (!set) {
      set = new Set(
        (this.db.prepare('SELECT layout_id FROM vm_layouts WHERE vm_id = ?').all(vmId) as Array<{ layout_id: number }>).map(
          (r) => r.layout_id,
        ),
      );
      this.vmLayouts.set(vmId, set);
    }
    if (set.has(layoutId)) return true;
    if (set.size >= MAX_LAYOUTS_PER_VM) return false;
    this.db.prepare('INSERT OR IGNORE INTO vm_layouts(vm_id, layout_id) VALUES (?, ?)').run(vmId, layoutId);
    set.add(layoutId);
    return true;
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

  private columns(layoutId: number): Column[] {
    let cols = this.layoutCols.get(layoutId);
    if (!cols) {
      const row = this.db.prepare('SELECT cols FROM layouts WHERE id = ?').get(layoutId) as
        { cols: string } | undefined;
      cols = row ? (JSON.parse(row.cols) as string[]).map(parseColumnKey) : [];
      this.layoutCols.set(layoutId, cols);
    }
    return cols;
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

  // ── writing ────────────────────────────────────────────────────────────────
  /**
   * Stores samples (a sample already stored, same VM and time, is skipped: replays after a reconnect
   * are harmless) and moves the agents' cursors, in one transaction: a cursor never runs ahead of
   * the samples it covers. Returns how many samples were new.
   */
  writeSamples(samples: Sample[], cursors: Cursor[] = []): WriteOutcome {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO samples(vm_id, ts, seq, layout_id, vals) VALUES (?, ?, ?, ?, ?)',
    );
    const cursor = this.db.prepare(
      `UPDATE agents SET last_seq = ?, last_ts = ?, epoch = COALESCE(?, epoch), lost = lost + ?
       WHERE ns = ? AND mcis = ? AND vm = ?`,
    );
    const run = this.db.transaction(() => {
        let inserted = 0;
        let refused = 0;
        const touched = new Map<string, { vmId: number; minute: number }>();
        for (const s of samples) {
          const vm = this.vmRow(s.ref);
          const { cols, vals } = encodePoints(s.points);
          if (cols.length === 0) continue;
          if (cols.length > MAX_COLUMNS_PER_SAMPLE) {
            refused++;
            continue;
          }
          const layout = this.layoutId(cols);
          if (!this.layoutAllowed(vm.id, layout)) {
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
      this.vmLayouts.clear();
      throw e;
    }
  }

  // ── reading ────────────────────────────────────────────────────────────────
  /** Column indexes of `metric` in a layout, memoised. */
  private readonly metricCols = new Map<string, Array<{ index: number; tags: string }>>();
  private indexesOf(layoutId: number, metric: string): Array<{ index: number; tags: string }> {
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

  /**
   * The points of `metric` for the selected VMs in [fromMs, toMs]: raw samples where they exist,
   * 1-minute rollups for whole minutes before each VM's oldest raw sample (older than retention).
   */
  readMetric(opts: { filter: VmFilter; metric: string; fromMs: number; toMs: number }): SeriesData[] {
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
    const oldestRaw = this.db.prepare('SELECT MIN(ts) AS ts FROM samples WHERE vm_id = ?');
    const raw = this.db.prepare(
      'SELECT ts, layout_id, vals FROM samples WHERE vm_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
    );
    const rolled = this.db.prepare(
      'SELECT ts, layout_id, n, vals FROM rollups WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
    );
    for (const vm of this.vms(opts.filter)) {
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
          for (const { index, tags } of this.indexesOf(r.layout_id, opts.metric)) {
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
        const wanted = this.indexesOf(r.layout_id, opts.metric);
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
  latest(filter: VmFilter, notBeforeMs = 0): StoredSample[] {
    const q = this.db.prepare(
      'SELECT ts, seq, layout_id, vals FROM samples WHERE vm_id = ? ORDER BY ts DESC LIMIT 1',
    );
    const out: StoredSample[] = [];
    for (const vm of this.vms(filter)) {
      const r = q.get(vm.id) as { ts: number; seq: number; layout_id: number; vals: Buffer } | undefined;
      if (!r || r.ts < notBeforeMs) continue;
      out.push({ ref: vm, seq: r.seq, tsMs: r.ts, cols: this.columns(r.layout_id), vals: r.vals });
    }
    return out;
  }

  /** Samples in (afterMs, toMs] of the selected VMs, VM by VM, oldest first (for export). */
  *samplesBetween(filter: VmFilter, afterMs: number, toMs: number): Generator<StoredSample> {
    const q = this.db.prepare(
      'SELECT ts, seq, layout_id, vals FROM samples WHERE vm_id = ? AND ts > ? AND ts <= ? ORDER BY ts',
    );
    for (const vm of this.vms(filter)) {
      for (const r of q.iterate(vm.id, afterMs, toMs) as Iterable<{
        ts: number;
        seq: number;
        layout_id: number;
        vals: Buffer;
      }>) {
        yield { ref: vm, seq: r.seq, tsMs: r.ts, cols: this.columns(r.layout_id), vals: r.vals };
      }
    }
  }

  decode(s: StoredSample): Sample {
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
  stats(): {
    samples: number;
    rollups: number;
    oldestMs: number | null;
    newestMs: number | null;
    bytes: number;
  } {
    const s = this.db.prepare('SELECT COUNT(*) AS n, MIN(ts) AS lo, MAX(ts) AS hi FROM samples').get() as {
      n: number;
      lo: number | null;
      hi: number | null;
    };
    const r = this.db.prepare('SELECT COUNT(*) AS n FROM rollups').get() as { n: number };
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return { samples: s.n, rollups: r.n, oldestMs: s.lo, newestMs: s.hi, bytes: pages * size };
  }

  // ── rollups and retention ──────────────────────────────────────────────────
  /**
   * (Re)computes the 1-minute rollups of the given VM-minutes from the raw samples. Safe to repeat:
   * late samples (a ring replayed after a gap) are folded in when their minute is rolled up again.
   */
  rollup(items: Iterable<VmMinute>): number {
    const rows = this.db.prepare(
      'SELECT layout_id, vals FROM samples WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY ts',
    );
    const put = this.db.prepare(
      'INSERT OR REPLACE INTO rollups(vm_id, ts, layout_id, n, vals) VALUES (?, ?, ?, ?, ?)',
    );
    let written = 0;
    this.db
      .transaction(() => {
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
            this.columns(r.layout_id).forEach((c, i) => {
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
          put.run(vmId, minute, this.layoutId(keys), n, vals);
          written++;
        }
      })
      .immediate();
    return written;
  }

  /**
   * VM-minutes after each VM's newest rollup that have raw samples, before `beforeMs`'s minute:
   * what a collector that stopped (or crashed) left to roll up. Index range scans only.
   */
  minutesWithoutRollup(beforeMs: number): VmMinute[] {
    const end = Math.floor(beforeMs / MINUTE) * MINUTE;
    const lastRollup = this.db.prepare('SELECT MAX(ts) AS ts FROM rollups WHERE vm_id = ?');
    const minutes = this.db.prepare(
      `SELECT DISTINCT (ts / ${MINUTE}) * ${MINUTE} AS m FROM samples WHERE vm_id = ? AND ts >= ? AND ts < ? ORDER BY m`,
    );
    const out: VmMinute[] = [];
    for (const vm of this.vms()) {
      const from = ((lastRollup.get(vm.id) as { ts: number | null }).ts ?? -MINUTE) + MINUTE;
      for (const r of minutes.all(vm.id, from, end) as Array<{ m: number }>)
        out.push({ vmId: vm.id, minute: r.m });
    }
    return out;
  }

  /** Drops raw samples older than `rawBeforeMs` and rollups older than `rollupBeforeMs`, VM by VM (index ranges). */
  prune(rawBeforeMs: number, rollupBeforeMs: number): { samples: number; rollups: number } {
    const raw = this.db.prepare('DELETE FROM samples WHERE vm_id = ? AND ts < ?');
    const rolled = this.db.prepare('DELETE FROM rollups WHERE vm_id = ? AND ts < ?');
    return this.db
      .transaction(() => {
        let samples = 0;
        let rollups = 0;
        for (const vm of this.vms()) {
          samples += raw.run(vm.id, rawBeforeMs).changes;
          rollups += rolled.run(vm.id, rollupBeforeMs).changes;
        }
        return { samples, rollups };
      })
      .immediate();
  }

  // ── agents ─────────────────────────────────────────────────────────────────
  /** Records an installed agent; keeps the collector's cursor unless the agent's epoch changed. */
  putAgent(a: Omit<AgentRecord, 'epoch' | 'lastSeq' | 'lastTs' | 'lost'> & { epoch?: string | null }): void {
    this.db
      .prepare(
        `INSERT INTO agents(ns, mcis, vm, mode, interval_s, ring_s, version, push_url, installed_at, epoch)
         VALUES (@ns, @mcis, @vm, @mode, @intervalS, @ringS, @version, @pushUrl, @installedAt, @epoch)
         ON CONFLICT(ns, mcis, vm) DO UPDATE SET mode = excluded.mode, interval_s = excluded.interval_s,
           ring_s = excluded.ring_s, version = excluded.version, push_url = excluded.push_url,
           installed_at = excluded.installed_at`,
      )
      .run({ ...a, pushUrl: a.pushUrl ?? null, epoch: a.epoch ?? null });
  }

  getAgent(ns: string, mcis: string, vm: string): AgentRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM agents WHERE ns = ? AND mcis = ? AND vm = ?')
      .get(ns, mcis, vm) as AgentRow | undefined;
    return r ? toAgent(r) : undefined;
  }

  listAgents(filter: VmFilter = {}): AgentRecord[] {
    return (this.db.prepare('SELECT * FROM agents ORDER BY ns, mcis, vm').all() as AgentRow[])
      .map(toAgent)
      .filter(
        (a) =>
          (filter.ns === undefined || a.ns === filter.ns) &&
          (filter.mcis === undefined || a.mcis === filter.mcis) &&
          (!filter.vms || filter.vms.includes(a.vm)),
      );
  }

  /** Forgets the agent and its push token. */
  deleteAgent(ns: string, mcis: string, vm: string): boolean {
    return this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM push_tokens WHERE ns = ? AND mcis = ? AND vm = ?').run(ns, mcis, vm);
        return this.db.prepare('DELETE FROM agents WHERE ns = ? AND mcis = ? AND vm = ?').run(ns, mcis, vm).changes > 0;
      })
      .immediate();
  }

  // ── push tokens ────────────────────────────────────────────────────────────
  /** The VM's push token, created on first use: it writes that VM's samples and no other's. */
  pushToken(ns: string, mcis: string, vm: string): string {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare('SELECT token FROM push_tokens WHERE ns = ? AND mcis = ? AND vm = ?')
          .get(ns, mcis, vm) as { token: string } | undefined;
        if (row) return row.token;
        const token = randomBytes(24).toString('hex');
        this.db
          .prepare('INSERT INTO push_tokens(token, ns, mcis, vm, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(token, ns, mcis, vm, new Date().toISOString());
        return token;
      })
      .immediate();
  }

  tokenOwner(token: string): { ns: string; mcis: string; vm: string } | undefined {
    return this.db.prepare('SELECT ns, mcis, vm FROM push_tokens WHERE token = ?').get(token) as
      { ns: string; mcis: string; vm: string } | undefined;
  }

  // ── alerts ─────────────────────────────────────────────────────────────────
  putAlert(name: string, doc: unknown, replace: boolean): boolean {
    const sql = replace
      ? 'INSERT OR REPLACE INTO alerts(name, doc) VALUES (?, ?)'
      : 'INSERT OR IGNORE INTO alerts(name, doc) VALUES (?, ?)';
    const changed = this.db.prepare(sql).run(name, JSON.stringify(doc)).changes > 0;
    if (changed && replace) this.db.prepare('DELETE FROM alert_state WHERE alert = ?').run(name);
    return changed;
  }

  listAlerts(): Array<{ name: string; doc: unknown }> {
    return (
      this.db.prepare('SELECT name, doc FROM alerts ORDER BY name').all() as Array<{
        name: string;
        doc: string;
      }>
    ).map((r) => ({ name: r.name, doc: JSON.parse(r.doc) as unknown }));
  }

  deleteAlert(name: string): boolean {
    return this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM alert_state WHERE alert = ?').run(name);
        return this.db.prepare('DELETE FROM alerts WHERE name = ?').run(name).changes > 0;
      })
      .immediate();
  }

  alertStates(
    alert: string,
  ): Array<{ series: string; firing: boolean; since: number | null; value: number | null; updated: number }> {
    return (
      this.db
        .prepare(
          'SELECT series, firing, since, value, updated FROM alert_state WHERE alert = ? ORDER BY series',
        )
        .all(alert) as Array<{
        series: string;
        firing: number;
        since: number | null;
        value: number | null;
        updated: number;
      }>
    ).map((r) => ({ ...r, firing: r.firing === 1 }));
  }

  setAlertState(
    alert: string,
    series: string,
    firing: boolean,
    since: number | null,
    value: number | null,
    now: number,
  ): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO alert_state(alert, series, firing, since, value, updated) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(alert, series, firing ? 1 : 0, since, value, now);
  }

  // ── small documents (collector stats) ──────────────────────────────────────
  putKv(key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO kv(key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  getKv<T>(key: string): T | undefined {
    const r = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }
}

/** `$CB_HOME/metrics.db`. */
export function metricsDbPath(home: string): string {
  return `${home}/metrics.db`;
}
