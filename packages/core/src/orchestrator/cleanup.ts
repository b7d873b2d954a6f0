/**
 * `cbadm connection cleanup`: finds, through the cloud's own API and by our tags, what cbadm made on
 * a connection that no record accounts for any more (a delete killed or failed half-way, a store
 * restored from an old copy) and removes it. Records are the reference: a VM a live MCIS records,
 * or that a running create is about to record, is never touched.
 */
import { NotFoundError, PartialError } from '../errors.js';
import type { DefaultNetwork, VmInfo } from '../driver/port.js';
import { noEvents } from '../events.js';
import { TAG } from '../domain.js';
import { poll } from '../util/poll.js';
import { DEFAULT_TIMEOUTS, type OrchestratorDeps, type RunOptions } from './deps.js';
import type { DriverPool } from '../driver/pool.js';
import { defaultResourceName, defaultTags, refsToNetwork, withResourceLock } from './resources.js';
import { firewallName } from './firewall.js';

export interface LeftoverObject {
  kind: 'vm' | 'network' | 'keypair' | 'firewall';
  /** The cloud's id (instance id, network id, key name). */
  id: string;
  /** For VMs: the MCIS and VM names their tags carry. */
  mcis?: string;
  vm?: string;
}

export interface CleanupReport {
  connection: string;
  dryRun: boolean;
  /** What no record accounts for. */
  found: LeftoverObject[];
  removed: LeftoverObject[];
  failed: Array<LeftoverObject & { error: string }>;
  /** Default resources left alone because an MCIS still uses the connection. */
  inUseBy: string[];
}

export async function cleanupConnection(
  deps: OrchestratorDeps,
  pool: DriverPool,
  args: { connection: string; dryRun?: boolean } & RunOptions,
): Promise<CleanupReport> {
  const name = args.connection;
  if (!deps.store.getConnection(name)) throw new NotFoundError('connection', name, { hint: 'list them with: cbadm connection list' });
  const events = args.events ?? noEvents;
  const { driver } = await pool.get(name);
  // The resource lock keeps a concurrent create from ensuring the network while it is judged unused.
  return withResourceLock(deps, name, async () => {
    const live = deps.store.listMcis().filter((m) => !m.deleting);
    const recorded = live.flatMap((m) => deps.store.listVms(m.ns, m.name).filter((v) => v.connection === name).map((v) => ({ ns: m.ns, mcis: m.name, vm: v })));
    const accounted = (i: VmInfo) =>
      recorded.some(
        (r) =>
          r.vm.providerId === i.providerId ||
          // A create between recording its intent and storing the id the cloud gave back.
          (!r.vm.providerId && r.vm.status === 'Creating' && i.tags[TAG.ns] === r.ns && i.tags[TAG.mcis] === r.mcis && i.tags[TAG.vm] === r.vm.name),
      );
    const strays = (await driver.vms.findByTags({ [TAG.managed]: 'true', [TAG.connection]: name })).filter((i) => i.status !== 'Terminated' && !accounted(i));
    const found: LeftoverObject[] = strays.map((i) => ({ kind: 'vm', id: i.providerId, ...(i.tags[TAG.mcis] ? { mcis: i.tags[TAG.mcis] } : {}), ...(i.tags[TAG.vm] ? { vm: i.tags[TAG.vm] } : {}) }));

    const inUseBy = [...new Set(recorded.map((r) => `${r.ns}/${r.mcis}`))];
    let network: DefaultNetwork | undefined;
    let keyName: string | undefined;
    if (!inUseBy.length) {
      const resName = defaultResourceName(name);
      network = await driver.network.findDefault({ name: resName, tags: defaultTags(name) });
      if (network) found.push({ kind: 'network', id: network.networkId });
      if (await driver.keys.hasKeyPair(resName)) {
        keyName = resName;
        found.push({ kind: 'keypair', id: resName });
      }
    }
    // MCIS firewall objects whose MCIS no live record holds (a store restored from an old copy).
    const recordedNet = deps.store.getResource(name, 'network');
    const fwNet = network ?? (recordedNet?.refs.networkId ? refsToNetwork(recordedNet.refs) : undefined);
    const liveFirewalls = new Set(live.map((m) => firewallName(m.ns, m.name)));
    const strayFirewalls = fwNet && driver.firewall ? (await driver.firewall.list(fwNet)).filter((f) => !liveFirewalls.has(f.name)) : [];
    found.push(...strayFirewalls.map((f) => ({ kind: 'firewall' as const, id: f.id })));
    const report: CleanupReport = { connection: name, dryRun: args.dryRun ?? false, found, removed: [], failed: [], inUseBy };
    if (args.dryRun) return report;

    const vmObjects = found.filter((f) => f.kind === 'vm');
    if (vmObjects.length) {
      try {
        const ids = vmObjects.map((o) => o.id);
        await driver.vms.terminate(ids);
        const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
        await poll(
          () => driver.vms.describe(ids),
          (infos) => (infos.every((i) => i.status === 'Terminated') ? { state: 'success', value: true } : { state: 'retry' }),
          { maxWaitMs: timeouts.actionMs, minDelayMs: timeouts.pollMs, maxDelayMs: timeouts.pollMs * 8, what: `termination of ${ids.join(', ')}`, ...(args.signal ? { signal: args.signal } : {}) },
        );
        report.removed.push(...vmObjects);
      } catch (e) {
        report.failed.push(...vmObjects.map((o) => ({ ...o, error: e instanceof Error ? e.message : String(e) })));
      }
    }
    // The network outlives its instances' interfaces: it goes only once they are gone.
    const vmsGone = !report.failed.length;
    for (const f of vmsGone ? strayFirewalls : []) {
      try {
        await driver.firewall!.delete({ name: f.name, network: fwNet!, id: f.id });
        report.removed.push({ kind: 'firewall', id: f.id });
      } catch (e) {
        report.failed.push({ kind: 'firewall', id: f.id, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (network && vmsGone) {
      const obj = found.find((f) => f.kind === 'network')!;
      try {
        events({ type: 'resource', connection: name, kind: 'network', state: 'deleting' });
        await driver.network.deleteDefault(network);
        deps.store.deleteResource(name, 'network');
        events({ type: 'resource', connection: name, kind: 'network', state: 'deleted' });
        report.removed.push(obj);
      } catch (e) {
        report.failed.push({ ...obj, error: e instanceof Error ? e.message : String(e) });
      }
    } else if (network) {
      report.failed.push({ ...found.find((f) => f.kind === 'network')!, error: 'kept: the VMs on it could not be removed first' });
    }
    if (keyName) {
      const obj = found.find((f) => f.kind === 'keypair')!;
      try {
        await driver.keys.deleteKeyPair(keyName);
        deps.store.deleteResource(name, 'keypair');
        report.removed.push(obj);
      } catch (e) {
        report.failed.push({ ...obj, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (!inUseBy.length && vmsGone && !report.failed.length) {
      // Nothing of ours is left in the cloud: records of defaults are stale too.
      deps.store.deleteResource(name, 'network');
      deps.store.deleteResource(name, 'keypair');
    }
    if (report.failed.length) {
      throw new PartialError(`cleanup of ${name}: ${report.failed.length} object(s) could not be removed: ${report.failed.map((f) => `${f.kind} ${f.id}: ${f.error}`).join('; ')}`, report, {
        hint: `fix the cause and re-run: cbadm connection cleanup ${name}`,
      });
    }
    return report;
  });
}
