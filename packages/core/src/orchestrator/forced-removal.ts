/**
 * `cbadm connection remove --force`: a connection whose default resources never became ready (a
 * create killed or failed while making them, a cleanup that failed after a rollback) cannot be
 * removed plainly. Forced, the cloud is asked by our tags for what exists and that is removed
 * (connection cleanup); the records left after that point at nothing and are forgotten. A
 * connection an MCIS uses is still refused: its VMs need it.
 */
import { ConflictError, NotFoundError, PartialError } from '../errors.js';
import type { ManagedResource } from '../model.js';
import type { DriverPool } from '../driver/pool.js';
import { cleanupConnection, type CleanupReport, type LeftoverObject } from './cleanup.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';

export interface ForcedRemoval {
  connection: string;
  /** Removed from the cloud, found by our tags. */
  cleaned: LeftoverObject[];
  /** Default resources recorded when the removal began (with their status then). */
  recorded: Array<Pick<ManagedResource, 'kind' | 'status'>>;
  /** Recorded ones the cloud had nothing of: their records were dropped. */
  forgotten: Array<Pick<ManagedResource, 'kind' | 'status'>>;
  /** What could not be removed from the cloud, or why the cloud could not be asked: it may still exist. */
  left: Array<{ kind: string; id: string; error: string }>;
}

/**
 * Removes the connection whatever state its default resources are in. Throws PartialError (exit 3)
 * when the cloud could not be cleaned entirely: the connection is gone, `left` names what may remain.
 */
export async function removeConnectionForced(deps: OrchestratorDeps, pool: DriverPool, args: { connection: string } & RunOptions): Promise<ForcedRemoval> {
  const name = args.connection;
  if (!deps.store.getConnection(name)) throw new NotFoundError('connection', name, { hint: 'list them with: cbadm connection list' });
  if (deps.store.connectionsInUse().has(name)) {
    const users = deps.store.listMcis().filter((m) => m.subgroups.some((s) => s.connection === name)).map((m) => `${m.ns}/${m.name}`);
    throw new ConflictError(`connection '${name}' is used by MCIS ${users.join(', ') || '(a record)'}: --force removes stuck default resources, not live VMs`, {
      hint: 'delete those MCIS first (cbadm mcis delete NAME --force)',
    });
  }
  const recorded = deps.store.listResources().filter((x) => x.connection === name).map((r) => ({ kind: r.kind, status: r.status }));
  const result: ForcedRemoval = { connection: name, cleaned: [], recorded, forgotten: [], left: [] };
  let report: CleanupReport | undefined;
  try {
    report = await cleanupConnection(deps, pool, args);
  } catch (e) {
    if (e instanceof PartialError) report = e.result as CleanupReport;
    else result.left.push({ kind: 'cloud', id: name, error: `could not ask the cloud: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (report) {
    result.cleaned = report.removed;
    result.left.push(...report.failed.map((f) => ({ kind: f.kind, id: f.id, error: f.error })));
  }
  for (const r of deps.store.listResources().filter((x) => x.connection === name)) deps.store.deleteResource(name, r.kind);
  const handled = new Set<string>([...result.cleaned.map((o) => o.kind), ...result.left.map((l) => l.kind)]);
  result.forgotten = recorded.filter((r) => !handled.has(r.kind) && !handled.has('cloud'));
  deps.store.deleteConnection(name);
  if (result.left.length) {
    throw new PartialError(`connection '${name}' removed, but ${result.left.length} cloud object(s) may remain: ${result.left.map((l) => `${l.kind} ${l.id}: ${l.error}`).join('; ')}`, result, {
      hint: 'remove them in the cloud console (they carry the tag cb-managed=true), or add the connection again and run: cbadm connection cleanup NAME',
    });
  }
  return result;
}
