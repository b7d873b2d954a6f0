/**
 * The embedded metrics store: SQLite (WAL) at `$CB_HOME/metrics.db`, separate from the state store
 * so a busy collector never makes `cbadm` wait. Samples are written by one collector at a time (it
 * holds a lock in the state store); any command may read. This class opens the file and holds the
 * caches; each concern's SQL is in its own module (writes, reads, retention, agents, alerts).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import type { Sample } from '../sample.js';
import * as agents from './agents.js';
import * as alerts from './alerts.js';
import * as reads from './reads.js';
import * as retention from './retention.js';
import { METRICS_MIGRATIONS } from './schema.js';
import type { AgentRecord, Cursor, SeriesData } from './types.js';
import { VmLayouts, type VmFilter, type VmRow } from './vms.js';
import * as writes from './writes.js';

export { MAX_LAYOUTS_PER_VM, type VmFilter } from './vms.js';
export { MAX_COLUMNS_PER_SAMPLE, type VmMinute, type WriteOutcome } from './writes.js';
export type { StoredSample } from './reads.js';

type AlertState = ReturnType<typeof alerts.alertStates>[number];

export class MetricsStore {
  private readonly db: Database.Database;
  private readonly vl: VmLayouts;

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
    this.vl = new VmLayouts(this.db);
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
  /** Layouts a VM has used (for `vm_layouts`' bound). */
  layoutCount(ns: string, mcis: string, vm: string): number {
    return this.vl.layoutCount(ns, mcis, vm);
  }

  /** VMs known to the store, optionally filtered. */
  vms(filter: VmFilter = {}): VmRow[] {
    return this.vl.vms(filter);
  }

  // ── writing ────────────────────────────────────────────────────────────────
  /**
   * Stores samples (a sample already stored, same VM and time, is skipped: replays after a reconnect
   * are harmless) and moves the agents' cursors, in one transaction: a cursor never runs ahead of
   * the samples it covers. Returns how many samples were new.
   */
  writeSamples(samples: Sample[], cursors: Cursor[] = []): writes.WriteOutcome {
    return writes.writeSamples(this.db, this.vl, samples, cursors);
  }

  // ── reading ────────────────────────────────────────────────────────────────
  /**
   * The points of `metric` for the selected VMs in [fromMs, toMs]: raw samples where they exist,
   * 1-minute rollups for whole minutes before each VM's oldest raw sample (older than retention).
   */
  readMetric(opts: { filter: VmFilter; metric: string; fromMs: number; toMs: number }): SeriesData[] {
    return reads.readMetric(this.db, this.vl, opts);
  }

  /** Each selected VM's newest sample, if it is not older than `notBeforeMs`. */
  latest(filter: VmFilter, notBeforeMs = 0): reads.StoredSample[] {
    return reads.latest(this.db, this.vl, filter, notBeforeMs);
  }

  /** Samples in (afterMs, toMs] of the selected VMs, VM by VM, oldest first (for export). */
  samplesBetween(filter: VmFilter, afterMs: number, toMs: number): Generator<reads.StoredSample> {
    return reads.samplesBetween(this.db, this.vl, filter, afterMs, toMs);
  }

  decode(s: reads.StoredSample): Sample {
    return reads.decode(s);
  }

  /** Count and time span of the stored raw samples, and the file size. */
  stats(): ReturnType<typeof reads.stats> {
    return reads.stats(this.db);
  }

  // ── rollups and retention ──────────────────────────────────────────────────
  /**
   * (Re)computes the 1-minute rollups of the given VM-minutes from the raw samples. Safe to repeat:
   * late samples (a ring replayed after a gap) are folded in when their minute is rolled up again.
   */
  rollup(items: Iterable<writes.VmMinute>): number {
    return retention.rollup(this.db, this.vl, items);
  }

  /** VM-minutes with raw samples but no rollup yet, before `beforeMs`'s minute (what a stopped collector left). */
  minutesWithoutRollup(beforeMs: number): writes.VmMinute[] {
    return retention.minutesWithoutRollup(this.db, this.vl, beforeMs);
  }

  /** Drops raw samples older than `rawBeforeMs` and rollups older than `rollupBeforeMs`. */
  prune(rawBeforeMs: number, rollupBeforeMs: number): { samples: number; rollups: number } {
    return retention.prune(this.db, this.vl, rawBeforeMs, rollupBeforeMs);
  }

  // ── agents and push tokens ─────────────────────────────────────────────────
  /** Records an installed agent; keeps the collector's cursor unless the agent's epoch changed. */
  putAgent(a: Parameters<typeof agents.putAgent>[1]): void {
    agents.putAgent(this.db, a);
  }

  getAgent(ns: string, mcis: string, vm: string): AgentRecord | undefined {
    return agents.getAgent(this.db, ns, mcis, vm);
  }

  listAgents(filter: VmFilter = {}): AgentRecord[] {
    return agents.listAgents(this.db, filter);
  }

  /** Forgets the agent and its push token. */
  deleteAgent(ns: string, mcis: string, vm: string): boolean {
    return agents.deleteAgent(this.db, ns, mcis, vm);
  }

  /** The VM's push token, created on first use: it writes that VM's samples and no other's. */
  pushToken(ns: string, mcis: string, vm: string): string {
    return agents.pushToken(this.db, ns, mcis, vm);
  }

  tokenOwner(token: string): { ns: string; mcis: string; vm: string } | undefined {
    return agents.tokenOwner(this.db, token);
  }

  // ── alerts and small documents ─────────────────────────────────────────────
  putAlert(name: string, doc: unknown, replace: boolean): boolean {
    return alerts.putAlert(this.db, name, doc, replace);
  }

  listAlerts(): Array<{ name: string; doc: unknown }> {
    return alerts.listAlerts(this.db);
  }

  deleteAlert(name: string): boolean {
    return alerts.deleteAlert(this.db, name);
  }

  alertStates(alert: string): AlertState[] {
    return alerts.alertStates(this.db, alert);
  }

  setAlertState(...state: alerts.AlertStateWrite): void {
    alerts.setAlertState(this.db, ...state);
  }

  putKv(key: string, value: unknown): void {
    alerts.putKv(this.db, key, value);
  }

  getKv<T>(key: string): T | undefined {
    return alerts.getKv<T>(this.db, key);
  }
}

/** `$CB_HOME/metrics.db`. */
export function metricsDbPath(home: string): string {
  return `${home}/metrics.db`;
}
