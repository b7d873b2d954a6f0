/** Alert rules with their per-series state, and small documents (the collector's stats). */
import type Database from 'better-sqlite3';

export function putAlert(db: Database.Database, name: string, doc: unknown, replace: boolean): boolean {
  const sql = replace
    ? 'INSERT OR REPLACE INTO alerts(name, doc) VALUES (?, ?)'
    : 'INSERT OR IGNORE INTO alerts(name, doc) VALUES (?, ?)';
  const changed = db.prepare(sql).run(name, JSON.stringify(doc)).changes > 0;
  if (changed && replace) db.prepare('DELETE FROM alert_state WHERE alert = ?').run(name);
  return changed;
}

export function listAlerts(db: Database.Database): Array<{ name: string; doc: unknown }> {
  return (
    db.prepare('SELECT name, doc FROM alerts ORDER BY name').all() as Array<{
      name: string;
      doc: string;
    }>
  ).map((r) => ({ name: r.name, doc: JSON.parse(r.doc) as unknown }));
}

export function deleteAlert(db: Database.Database, name: string): boolean {
  return db
    .transaction(() => {
      db.prepare('DELETE FROM alert_state WHERE alert = ?').run(name);
      return db.prepare('DELETE FROM alerts WHERE name = ?').run(name).changes > 0;
    })
    .immediate();
}

export function alertStates(
  db: Database.Database,
  alert: string,
): Array<{ series: string; firing: boolean; since: number | null; value: number | null; updated: number }> {
  return (
    db
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

/** One series' alert state as the evaluator writes it. */
export type AlertStateWrite = [
  alert: string,
  series: string,
  firing: boolean,
  since: number | null,
  value: number | null,
  now: number,
];

export function setAlertState(db: Database.Database, ...[alert, series, firing, since, value, now]: AlertStateWrite): void {
  db.prepare(
    'INSERT OR REPLACE INTO alert_state(alert, series, firing, since, value, updated) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(alert, series, firing ? 1 : 0, since, value, now);
}

export function putKv(db: Database.Database, key: string, value: unknown): void {
  db.prepare('INSERT OR REPLACE INTO kv(key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
}

export function getKv<T>(db: Database.Database, key: string): T | undefined {
  const r = db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as T) : undefined;
}
