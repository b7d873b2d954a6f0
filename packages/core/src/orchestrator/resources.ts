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
import { sleep } from '../util/poll.js';
import type { DriverPool } from './driver-pool.js';
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

export function privateKeyPath(deps: OrchestratorDeps, connection: string): string {
  return join(deps.home.keys, connection);
}

function defaultTags(connection: string): Record<string, string> {
  return { [TAG.managed]: 'true', [TAG.connection]: connection };
}

/** Holds the per-connection resource lock while fn runs, waiting for other processes if needed. */
async function withResourceLock<T>(deps: OrchestratorDeps, connection: string, fn: () => Promise<T>): Promise<T> {
  const key = `resources/${connection}`;
  for (let attempt = 0; ; attempt++) {
    try {
      deps.store.acquireLock(key, 'default-resources');
      break;
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt > 600) throw e;
      await sleep(200);
    }
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
    }

    let netRes = deps.store.getResource(connection.name, 'network');
    if (netRes?.status !== 'ready') {
      events({ type: 'resource', connection: connection.name, kind: 'network', state: 'ensuring' });
      deps.store.putResource({ connection: connection.name, kind: 'network', refs: {}, status: 'creating', createdAt: nowIso() });
      const net = await driver.network.ensureDefault({ name, tags });
      netRes = { connection: connection.name, kind: 'network', refs: networkToRefs(net), status: 'ready', createdAt: nowIso() };
      deps.store.putResource(netRes);
      events({ type: 'resource', connection: connection.name, kind: 'network', state: 'ready', message: net.networkId });
    }
    return {
      network: refsToNetwork(netRes.refs),
      keyName: keyRes.refs.keyName ?? name,
      publicKey: key.publicKey,
      privateKeyPath: key.privateKeyPath,
    };
  });
}

/**
 * Removes the default resources of each given connection that no MCIS uses any more. The in-use
 * check runs under the same lock as ensureDefaults, and create writes its VM records before taking
 * that lock, so a concurrent create can never lose its network.
 */
export async function cleanupUnusedDefaults(
  deps: OrchestratorDeps,
  pool: DriverPool,
  connections: Iterable<string>,
  events: EventSink,
): Promise<string[]> {
  const cleaned: string[] = [];
  for (const conn of new Set(connections)) {
    const had = deps.store.getResource(conn, 'network') ?? deps.store.getResource(conn, 'keypair');
    if (!had) continue;
    await withResourceLock(deps, conn, async () => {
      if (deps.store.connectionsInUse().has(conn)) return;
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
        if (net.refs.networkId) await driver.network.deleteDefault(refsToNetwork(net.refs));
        else {
          // Intent recorded but ids never came back: adopt by tags, then delete what was found.
          await driver.network.deleteDefault(await driver.network.ensureDefault({ name: defaultResourceName(conn), tags: defaultTags(conn) }));
        }
        deps.store.deleteResource(conn, 'network');
        events({ type: 'resource', connection: conn, kind: 'network', state: 'deleted' });
      }
      cleaned.push(conn);
    });
  }
  return cleaned;
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
