/** Installed agents (with the collector's cursor on each) and their push tokens. */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { AgentRecord } from './types.js';
import type { VmFilter } from './vms.js';

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

/** Records an installed agent; keeps the collector's cursor unless the agent's epoch changed. */
export function putAgent(
  db: Database.Database,
  a: Omit<AgentRecord, 'epoch' | 'lastSeq' | 'lastTs' | 'lost'> & { epoch?: string | null },
): void {
  db.prepare(
    `INSERT INTO agents(ns, mcis, vm, mode, interval_s, ring_s, version, push_url, installed_at, epoch)
       VALUES (@ns, @mcis, @vm, @mode, @intervalS, @ringS, @version, @pushUrl, @installedAt, @epoch)
       ON CONFLICT(ns, mcis, vm) DO UPDATE SET mode = excluded.mode, interval_s = excluded.interval_s,
         ring_s = excluded.ring_s, version = excluded.version, push_url = excluded.push_url,
         installed_at = excluded.installed_at`,
  ).run({ ...a, pushUrl: a.pushUrl ?? null, epoch: a.epoch ?? null });
}

export function getAgent(
  db: Database.Database,
  ns: string,
  mcis: string,
  vm: string,
): AgentRecord | undefined {
  const r = db.prepare('SELECT * FROM agents WHERE ns = ? AND mcis = ? AND vm = ?').get(ns, mcis, vm) as
    AgentRow | undefined;
  return r ? toAgent(r) : undefined;
}

export function listAgents(db: Database.Database, filter: VmFilter = {}): AgentRecord[] {
  return (db.prepare('SELECT * FROM agents ORDER BY ns, mcis, vm').all() as AgentRow[])
    .map(toAgent)
    .filter(
      (a) =>
        (filter.ns === undefined || a.ns === filter.ns) &&
        (filter.mcis === undefined || a.mcis === filter.mcis) &&
        (!filter.vms || filter.vms.includes(a.vm)),
    );
}

/** Forgets the agent and its push token. */
export function deleteAgent(db: Database.Database, ns: string, mcis: string, vm: string): boolean {
  return db
    .transaction(() => {
      db.prepare('DELETE FROM push_tokens WHERE ns = ? AND mcis = ? AND vm = ?').run(ns, mcis, vm);
      return (
        db.prepare('DELETE FROM agents WHERE ns = ? AND mcis = ? AND vm = ?').run(ns, mcis, vm).changes > 0
      );
    })
    .immediate();
}

/** The VM's push token, created on first use: it writes that VM's samples and no other's. */
export function pushToken(db: Database.Database, ns: string, mcis: string, vm: string): string {
  return db
    .transaction(() => {
      const row = db
        .prepare('SELECT token FROM push_tokens WHERE ns = ? AND mcis = ? AND vm = ?')
        .get(ns, mcis, vm) as { token: string } | undefined;
      if (row) return row.token;
      const token = randomBytes(24).toString('hex');
      db.prepare('INSERT INTO push_tokens(token, ns, mcis, vm, created_at) VALUES (?, ?, ?, ?, ?)').run(
        token,
        ns,
        mcis,
        vm,
        new Date().toISOString(),
      );
      return token;
    })
    .immediate();
}

export function tokenOwner(
  db: Database.Database,
  token: string,
): { ns: string; mcis: string; vm: string } | undefined {
  return db.prepare('SELECT ns, mcis, vm FROM push_tokens WHERE token = ?').get(token) as
    { ns: string; mcis: string; vm: string } | undefined;
}
