/**
 * Per-connection default resources (network, key pair): created on demand, shared by every MCIS on
 * that connection, removed when the last MCIS using the connection is deleted. The intent is recorded
 * before the provider call and the driver adopts by tags, so an interrupted run never duplicates.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../errors.js';
import type { DefaultNetwork } from '../driver/port.js';
import type { EventSink } from '../events.js';
import { nowIso, TAG } from '../domain.js';
import type { Connection } from '../model.js';
import { generateSshKeyPair, writeKeyPair } from '../ssh/keys.js';
import { poll, PollTimeoutError, type Acceptance } from '../util/poll.js';
import type { DriverPool } from '../driver/pool.js';
import type { OrchestratorDeps } from './deps.js';

export interface ConnectionDefaults {
  network: DefaultNetwork;
  keyName: string;
  publicKey: string;
  privateKeyPath: string;
}

export function defaultResourceName(connection: string): string {
  return `cb-default-${connection}`;
}

export function privateKeyPath(deps: Pick<OrchestratorDeps, 'home'>, connection: string): string {
  return join(deps.home.keys, connection);
}

export function defaultTags(connection: string): Record<string, string> {
  return { [TAG.managed]: 'true', [TAG.connection]: connection };
}

/** How long to wait for another process's hold on a connection's default resources. */
const RESOURCE_LOCK_WAIT_MS = 120_000;

/**
 * Holds the per-connection resource lock while fn runs, waiting for other processes if needed;
 * after RESOURCE_LOCK_WAIT_MS throws the holder's ConflictError (who holds it, and since when).
 */
export async function withResourceLock<T>(deps: OrchestratorDeps, connection: string, fn: () => Promise<T>): Promise<T> {
  const key = `resources/${connection}`;
  let held: ConflictError | undefined;
  try {
    await poll(
      () => {
        try {
          deps.store.acquireLock(key, 'default-resources');
          return Promise.resolve(true);
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
          held = e;
          return Promise.resolve(false);
        }
      },
      (taken): Acceptance<void> => (taken ? { state: 'success', value: undefined } : { state: 'retry' }),
      { maxWaitMs: RESOURCE_LOCK_WAIT_MS, minDelayMs: 200, maxDelayMs: 1_000, what: `the resource lock of connection '${connection}'` },
    );
  } catch (e) {
    throw e instanceof PollTimeoutError && held ? held : e;
  }
  try {
    return await fn();
  } finally {
    deps.store.releaseLock(key);
  }
}

/** The local key pair for a connection: generated once under $CB_HOME/keys (0600). */
function localKeyPair(deps: OrchestratorDeps, connection: string): { publicKey: string; privateKeyPath: string } {
  const path = privateKeyPath(deps, connection);
  if (!existsSync(path) || !existsSync(`${path}.pub`)) {
    writeKeyPair(deps.home.keys, connection, generateSshKeyPair(`cb-${connection}`));
  }
  return { publicKey: readFileSync(`${path}.pub`, 'utf8').trim(), privateKeyPath: path };
}

export async function ensureDefaults(
  deps: OrchestratorDeps,
  pool: DriverPool,
  connection: Connection,
  events: EventSink,
): Promise<ConnectionDefaults> {
  const { driver } = await pool.get(connection.name);
  return withResourceLock(deps, connection.name, async () => {
    const name = defaultResourceName(connection.name);
    const tags = defaultTags(connection.name);

    const key = localKeyPair(deps, connection.name);
    let keyRes = deps.store.getResource(connection.name, 'keypair');
    if (keyRes?.status !== 'ready') {
      events({ type: 'resource', connection: connection.name, kind: 'keypair', state: 'ensuring' });
      deps.store.putResource({ connection: connection.name, kind: 'keypair', refs: { keyName: name }, status: 'creating', createdAt: nowIso() });
      const { keyName } = await driver.keys.ensureKeyPair({ name, publicKey: key.publicKey, tags });
      keyRes = { connection: connection.name, kind: 'keypair', refs: { keyName }, status: 'ready', createdAt: nowIso() };
      deps.store.putResource(keyRes);
      events({ type: 'resource', connection: connection.name, kind: 'keypair', state: 'ready', message: keyName });
    } else {
      // Like the network below: a ready record is checked, and the key re-imported if it is gone.
      await driver.keys.ensureKeyPair({ name: keyRes.refs.keyName ?? name, publicKey: key.publicKey, tags });
    }

    let netRes = deps.store.getResource(connection.name, 'network');
    if (netRes?.status !== 'ready') {
      events({ type: 'resource', connection: connection.name, kind: 'network', state: 'ensuring' });
      deps.store.putResource({ connection: connection.name, kind: 'network', refs: {}, status: 'creating', createdAt: nowIso() });
    }
    // A stored `ready` is not trusted: a killed delete or someone's console may have removed pieces.
    // ensureDefault adopts what exists by tags and name and remakes what is missing, so this one
    // call is both the check and the repair.
    const net = await driver.network.ensureDefault({ name, tags });
    const refs = networkToRefs(net);
    if (netRes?.status !== 'ready' || JSON.stringify(refs) !== JSON.stringify(netRes.refs)) {
      const repaired = netRes?.status === 'ready';
      netRes = { connection: connection.name, kind: 'network', refs, status: 'ready', createdAt: netRes?.createdAt ?? nowIso() };
      deps.store.putResource(netRes);
      events({ type: 'resource', connection: connection.name, kind: 'network', state: 'ready', message: repaired ? `${net.networkId} (repaired: the stored ids no longer matched the cloud)` : net.networkId });
    }
    return {
      network: refsToNetwork(netRes.refs),
      keyName: keyRes.refs.keyName ?? name,
      publicKey: key.publicKey,
      privateKeyPath: key.privateKeyPath,
    };
  });
}

/** What happened to one connection's default resources. */
export interface ConnectionCleanup {
  connection: string;
  /** cleaned: removed; in-use: another MCIS still uses them; none: nothing recorded; failed: see error. */
  outcome: 'cleaned' | 'in-use' | 'none' | 'failed';
  error?: string;
}

/**
 * Removes the default resources of each given connection that no MCIS uses any more. The in-use
 * check runs under the same lock as ensureDefaults, and create writes its VM records before taking
 * that lock, so a concurrent create can never lose its network. Connections are worked
 * independently: one failing (a region outage) neither stops nor undoes the others, and the record
 * of what failed stays so a re-run retries it.
 */
export async function cleanupUnusedDefaults(
  deps: OrchestratorDeps,
  pool: DriverPool,
  connections: Iterable<string>,
  events: EventSink,
): Promise<ConnectionCleanup[]> {
  return Promise.all(
    [...new Set(connections)].map(async (conn): Promise<ConnectionCleanup> => {
      const had = deps.store.getResource(conn, 'network') ?? deps.store.getResource(conn, 'keypair');
      if (!had) return { connection: conn, outcome: 'none' };
      try {
        return await withResourceLock(deps, conn, async () => {
          if (deps.store.connectionsInUse().has(conn)) return { connection: conn, outcome: 'in-use' } as const;
          await removeDefaults(deps, pool, conn, events);
          return { connection: conn, outcome: 'cleaned' } as const;
        });
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        events({ type: 'resource', connection: conn, kind: 'network', state: 'failed', message: error });
        return { connection: conn, outcome: 'failed', error };
      }
    }),
  );
}

/** Deletes one connection's recorded default resources; each record goes only once its object is gone. */
async function removeDefaults(deps: OrchestratorDeps, pool: DriverPool, conn: string, events: EventSink): Promise<void> {
  const { driver } = await pool.get(conn);
  const key = deps.store.getResource(conn, 'keypair');
  if (key) {
    events({ type: 'resource', connection: conn, kind: 'keypair', state: 'deleting' });
    await driver.keys.deleteKeyPair(key.refs.keyName ?? defaultResourceName(conn));
    deps.store.deleteResource(conn, 'keypair');
    events({ type: 'resource', connection: conn, kind: 'keypair', state: 'deleted' });
  }
  const net = deps.store.getResource(conn, 'network');
  if (net) {
    events({ type: 'resource', connection: conn, kind: 'network', state: 'deleting' });
    // Intent recorded but ids never came back: find it by tags (never create it just to delete it).
    const found = net.refs.networkId ? refsToNetwork(net.refs) : await driver.network.findDefault({ name: defaultResourceName(conn), tags: defaultTags(conn) });
    if (found) await driver.network.deleteDefault(found);
    deps.store.deleteResource(conn, 'network');
    events({ type: 'resource', connection: conn, kind: 'network', state: 'deleted' });
  }
}

function networkToRefs(n: DefaultNetwork): Record<string, string> {
  return {
    networkId: n.networkId,
    subnetId: n.subnetId,
    securityGroupId: n.securityGroupId,
    ...(n.zone ? { zone: n.zone } : {}),
    ...Object.fromEntries(Object.entries(n.extra).map(([k, v]) => [`extra.${k}`, v])),
  };
}

export function refsToNetwork(refs: Record<string, string>): DefaultNetwork {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(refs)) if (k.startsWith('extra.')) extra[k.slice(6)] = v;
  return {
    networkId: refs.networkId ?? '',
    subnetId: refs.subnetId ?? '',
    securityGroupId: refs.securityGroupId ?? '',
    ...(refs.zone ? { zone: refs.zone } : {}),
    extra,
  };
}
