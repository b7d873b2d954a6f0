import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import { DriverPool } from '../src/driver/pool.js';
import { ConflictError } from '../src/errors.js';
import { type HomePaths } from '../src/home.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import type { OrchestratorDeps } from '../src/orchestrator/deps.js';
import { withResourceLock } from '../src/orchestrator/resources.js';
import { McisService } from '../src/orchestrator/service.js';
import { waitForVms } from '../src/orchestrator/wait.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

let home: HomePaths;
let store: SqliteStateStore;
let cloud: FakeCloud;
let deps: OrchestratorDeps;

eachTestState('cb-wait-', async (t) => {
  home = t.home;
  store = t.store;
  cloud = new FakeCloud();
  const credentials = new CredentialService(store, home);
  await new ConnectionService(store, cloud.registry()).add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  deps = { store, home, drivers: cloud.registry(), credentials, ssh: new FakeSsh(), timeouts: FAST_TIMEOUTS };
});

describe('waitForVms', () => {
  it('gives up on VMs still pending after maxWaitMs: each is failed with the step, and its record says why', async () => {
    const v = validateMcisManifest({
      apiVersion: 'cloud-barista.io/v1alpha1',
      kind: 'MCIS',
      metadata: { name: 'm1' },
      spec: { subgroups: [{ name: 'g', connection: 'c-seoul', count: 2, spec: 't3.small', image: 'ubuntu-22.04' }] },
    });
    await new McisService(deps).create({ ns: 'default', manifest: v.value! });
    const vms = store.listVms('default', 'm1');
    const g1 = vms.find((vm) => vm.name === 'g-1')!.providerId;
    const pool = new DriverPool(store, deps.drivers, deps.credentials);
    let describes = 0;
    const out = await waitForVms({
      store,
      pool,
      ns: 'default',
      mcis: 'm1',
      vms,
      // g-1 settles on the third look; g-2 never does.
      accept: (info) => ({ verdict: info?.providerId === g1 && ++describes >= 3 ? 'done' : 'pending' }),
      maxWaitMs: 80,
      pollMs: 1,
      step: 'testing',
      events: () => {},
    });
    expect(out.done.map((d) => d.name)).toEqual(['g-1']);
    expect(out.failed.map((f) => [f.vm.name, f.reason])).toEqual([['g-2', 'timed out after 80 ms in testing']]);
    expect(store.getVm('default', 'm1', 'g-2')?.error).toBe('timed out after 80 ms in testing');
    await pool.closeAll();
  });
});

describe('withResourceLock', () => {
  it('waits while another live process holds the lock, then runs and releases it', async () => {
    const db = new Sqlite(home.db);
    // The parent process (vitest's) is alive and is not us: its hold is real.
    db.prepare('INSERT INTO locks(key, owner, pid, host, acquired_at) VALUES (?, ?, ?, ?, ?)').run('resources/c-seoul', 'other', process.ppid, hostname(), new Date().toISOString());
    expect(() => store.acquireLock('resources/c-seoul', 'probe')).toThrow(ConflictError);
    let released = false;
    setTimeout(() => {
      db.prepare('DELETE FROM locks WHERE key = ?').run('resources/c-seoul');
      released = true;
    }, 300);
    const r = await withResourceLock(deps, 'c-seoul', () => Promise.resolve({ released, owner: store.getLock('resources/c-seoul')?.owner }));
    expect(r).toEqual({ released: true, owner: 'default-resources' });
    expect(store.getLock('resources/c-seoul')).toBeUndefined();
    db.close();
  });
});
