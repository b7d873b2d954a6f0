import { join } from 'node:path';
import { tempDirEachTest } from '../../../../test-support/tmp.js';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from './sqlite-store.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Mcis, Vm } from '../model.js';

const now = new Date().toISOString();
const mcis = (name: string): Mcis => ({
  ns: 'default',
  name,
  labels: {},
  subgroups: [{ name: 'web', connection: 'c1', count: 2, spec: 't3.micro', image: 'ubuntu-22.04' }],
  policy: { onFailure: 'continue' },
  createdAt: now,
  updatedAt: now,
});
const vm = (name: string): Vm => ({
  name,
  subgroup: 'web',
  connection: 'c1',
  provider: 'aws',
  region: 'ap-northeast-2',
  spec: 't3.micro',
  image: 'ubuntu-22.04',
  status: 'Creating',
  clientToken: `tok-${name}`,
  sshPort: 22,
  sshUser: 'ubuntu',
  createdAt: now,
  updatedAt: now,
});

let store: SqliteStateStore;
const tempDir = tempDirEachTest('cb-store-', {
  open: (dir) => (store = new SqliteStateStore(join(dir, 'state.db'))),
  close: () => store.close(),
});

describe('SqliteStateStore', () => {
  it('round-trips MCIS and VMs, sorting VM names numerically', () => {
    store.createMcis(mcis('m1'));
    for (const n of ['web-10', 'web-2', 'web-1']) store.putVm('default', 'm1', vm(n));
    expect(store.getMcis('default', 'm1')?.subgroups[0]?.count).toBe(2);
    expect(store.listVms('default', 'm1').map((v) => v.name)).toEqual(['web-1', 'web-2', 'web-10']);
    expect(store.connectionsInUse()).toEqual(new Set(['c1']));
    expect(store.deleteMcis('default', 'm1')).toBe(true);
    expect(store.listVms('default', 'm1')).toEqual([]);
    expect(store.connectionsInUse().size).toBe(0);
  });

  it('refuses a duplicate MCIS with ConflictError', () => {
    store.createMcis(mcis('m1'));
    expect(() => store.createMcis(mcis('m1'))).toThrow(ConflictError);
  });

  it('updateVm on a missing VM is NotFoundError', () => {
    expect(() => store.updateVm('default', 'm1', 'nope', (v) => v)).toThrow(NotFoundError);
  });

  it('keeps the schema version and survives reopening', () => {
    store.createMcis(mcis('m1'));
    store.close();
    store = new SqliteStateStore(join(tempDir(), 'state.db'));
    expect(store.listMcis().map((m) => m.name)).toEqual(['m1']);
  });

  it('locks: a live holder blocks, a dead holder is taken over', () => {
    store.acquireLock('mcis/default/m1', 'test');
    store.acquireLock('mcis/default/m1', 'test'); // re-entrant for the same process
    // Plant a lock held by a live foreign process (our parent) and one by a dead pid.
    const db = (store as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db;
    db.prepare('UPDATE locks SET pid = ? WHERE key = ?').run(process.ppid, 'mcis/default/m1');
    expect(() => store.acquireLock('mcis/default/m1', 'other')).toThrow(ConflictError);
    db.prepare('UPDATE locks SET pid = ? WHERE key = ?').run(2 ** 22 + 12345, 'mcis/default/m1');
    store.acquireLock('mcis/default/m1', 'other');
    expect(store.getLock('mcis/default/m1')?.pid).toBe(process.pid);
    store.releaseLock('mcis/default/m1');
    expect(store.getLock('mcis/default/m1')).toBeUndefined();
  });

  it('two processes patching the same record lose no update', async () => {
    store.createMcis(mcis('m1'));
    store.putVm('default', 'm1', vm('web-1'));
    const N = 150;
    // Each child increments a counter label N times with read-modify-write through updateMcis.
    const child = (who: string) =>
      new Promise<number>((resolve, reject) => {
        const code = `
          import { SqliteStateStore } from ${JSON.stringify(new URL('./sqlite-store.js', import.meta.url).pathname.replace('/src/', '/dist/'))};
          const s = new SqliteStateStore(${JSON.stringify(join(tempDir(), 'state.db'))});
          for (let i = 0; i < ${N}; i++) {
            s.updateMcis('default', 'm1', (m) => ({ ...m, labels: { ...m.labels, n: String(Number(m.labels.n ?? 0) + 1), ${who}: String(i) } }));
          }
          s.close();`;
        const p = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', reject);
        p.on('exit', (c) => (c === 0 ? resolve(c) : reject(new Error(`child ${who} exited ${c}: ${err}`))));
      });
    await Promise.all([child('a'), child('b')]);
    expect(store.getMcis('default', 'm1')?.labels.n).toBe(String(2 * N));
  });
});
