/**
 * The MCIS firewall on each connection: ensured before the VMs launch (so they are attached to it
 * at launch), synced once they have addresses (so `subgroup:NAME` and `mcis` sources are those VMs'
 * IPs), and removed after the VMs are gone. Each object is recorded in the MCIS record ('creating'
 * before the cloud call, 'ready' with its id after), so an interrupted run, or the delete, finds it.
 */
import { nowIso, TAG } from '../domain.js';
import type { DriverPool } from '../driver/pool.js';
import type { FirewallRef } from '../driver/port.js';
import type { EventSink } from '../events.js';
import { intentOf, OVERLAY_PORT, resolveRules, ruleKey, wantsFirewall } from '../firewall.js';
import type { McisManifest } from '../manifest.js';
import type { Mcis, Vm } from '../model.js';
import type { OrchestratorDeps } from './deps.js';
import { overlaySourcesOf } from './overlay.js';
import { refsToNetwork, withResourceLock } from './resources.js';

/** The object's name on every cloud: derived, so a repeated ensure finds it. */
export function firewallName(ns: string, mcis: string): string {
  return `cb-${ns}-${mcis}`;
}

/**
 * The manifest's MCIS-wide firewall rules, SSH sources and overlay as the record keeps them (subgroup
 * rules stay on the subgroups); the overlay is here because it opens a port of its own.
 */
export function firewallOf(m: McisManifest): Pick<Mcis, 'firewall' | 'ssh' | 'overlay'> {
  const overlay = m.spec.network?.overlay;
  return { ...(m.spec.firewall?.length ? { firewall: m.spec.firewall } : {}), ...(m.spec.ssh ? { ssh: m.spec.ssh } : {}), ...(overlay ? { overlay } : {}) };
}

/** Attach calls run at once on one connection, each for its share of the VMs launched before the firewall. */
const ATTACH_PARALLEL = 8;

/** Statuses whose addresses count as sources: the VM exists or is coming up. */
const MEMBER: ReadonlySet<Vm['status']> = new Set(['Creating', 'Running', 'Suspending', 'Suspended', 'Resuming', 'Rebooting']);

function networkOf(deps: OrchestratorDeps, conn: string) {
  const res = deps.store.getResource(conn, 'network');
  return res?.refs.networkId ? refsToNetwork(res.refs) : undefined;
}

const setEntry = (deps: OrchestratorDeps, ns: string, name: string, conn: string, entry: NonNullable<Mcis['firewalls']>[string] | undefined) =>
  deps.store.updateMcis(ns, name, (m) => {
    const firewalls = { ...(m.firewalls ?? {}) };
    if (entry) firewalls[conn] = entry;
    else delete firewalls[conn];
    return { ...m, firewalls, updatedAt: nowIso() };
  });

/**
 * Finds or creates the MCIS firewall on one connection, when the MCIS wants one and the driver can
 * make it (otherwise a warning, and undefined: the VMs launch without it).
 */
export async function ensureFirewall(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, conn: string, events: EventSink): Promise<FirewallRef | undefined> {
  const rec = deps.store.getMcis(ns, name);
  if (!rec || !wantsFirewall(intentOf(rec))) return undefined;
  const { driver } = await pool.get(conn);
  if (!driver.firewall) {
    events({ type: 'warning', message: `connection ${conn}: the ${driver.provider} driver cannot manage firewall rules yet; the manifest's firewall is not realised there` });
    return undefined;
  }
  const network = networkOf(deps, conn);
  if (!network) return undefined;
  const fwName = firewallName(ns, name);
  const had = rec.firewalls?.[conn];
  // VMs already in the cloud on this connection predate the object: the next sync attaches them.
  const older = !had && deps.store.listVms(ns, name).some((v) => v.connection === conn && v.providerId && v.status !== 'Terminated');
  if (had?.status !== 'ready') setEntry(deps, ns, name, conn, { status: 'creating', name: fwName, ...(older || had?.attachPending ? { attachPending: true } : {}) });
  const ref = await driver.firewall.ensure({ name: fwName, network, tags: { [TAG.managed]: 'true', [TAG.ns]: ns, [TAG.mcis]: name, [TAG.connection]: conn } });
  if (had?.status !== 'ready' && !older) {
    // A new object holds no rule (an EC2 security group admits nothing): SSH and the CIDR rules go in
    // before the VMs launch, or the wait for SSH after launch would never end. Sources naming VMs follow in the sync.
    await withResourceLock(deps, conn, () => driver.firewall!.setRules(ref, { network, rules: resolveRules(intentOf(rec), conn, []), targets: [] }));
  }
  if (had?.status !== 'ready' || had.id !== ref.id) {
    const cur = deps.store.getMcis(ns, name)?.firewalls?.[conn];
    setEntry(deps, ns, name, conn, { status: 'ready', id: ref.id, name: ref.name, ...(had?.applied ? { applied: had.applied } : {}), ...(cur?.attachPending ? { attachPending: true } : {}) });
    events({ type: 'resource', connection: conn, kind: 'firewall', state: 'ready', message: ref.id });
  }
  return ref;
}

/**
 * Makes every connection's MCIS firewall hold exactly the manifest's rules with the sources
 * resolved to the VMs' current addresses. Connections are independent: failures come back per
 * connection (and as warnings), the others are synced.
 */
export async function syncFirewalls(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, events: EventSink): Promise<Array<{ connection: string; error: string }>> {
  const rec = deps.store.getMcis(ns, name);
  if (!rec) return [];
  const intent = intentOf(rec);
  // Only connections cbadm knows (an MCIS of registered machines has no cloud firewall to manage).
  const wanted = wantsFirewall(intent) ? rec.subgroups.map((s) => s.connection).filter((c) => deps.store.getConnection(c)) : [];
  const all = deps.store.listVms(ns, name);
  // A connection the MCIS left (its subgroups removed, its VMs gone) loses its firewall object.
  const left = new Set(Object.keys(rec.firewalls ?? {}).filter((c) => !rec.subgroups.some((s) => s.connection === c) && !all.some((v) => v.connection === c)));
  const failed = left.size ? await deleteFirewalls(deps, pool, ns, name, events, left) : [];
  const connections = [...new Set([...Object.keys(rec.firewalls ?? {}).filter((c) => !left.has(c)), ...wanted])];
  await Promise.all(
    connections.map(async (conn) => {
      try {
        await syncConnection(deps, pool, ns, name, conn, events);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failed.push({ connection: conn, error });
        events({ type: 'warning', message: `connection ${conn}: could not sync the MCIS firewall: ${error}` });
      }
    }),
  );
  return failed;
}

/**
 * Makes one connection's MCIS firewall hold the manifest's rules with the sources resolved to the
 * VMs' current addresses (attaching first the VMs launched before it). Also run before a launch: the
 * VMs get only this object on some clouds (EC2, Neutron, ECS), so it must already let SSH in, and
 * the rules whose sources are CIDRs, while `subgroup:`/`mcis` sources wait for the VMs' addresses.
 * Throws what the cloud refused.
 */
export async function syncConnection(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, conn: string, events: EventSink): Promise<FirewallRef | undefined> {
  const rec = deps.store.getMcis(ns, name);
  if (!rec) return undefined;
  const intent = intentOf(rec);
  const had = rec.firewalls?.[conn];
  // An MCIS whose manifest dropped every rule keeps its object (its VMs are attached to it): it is
  // synced to no manifest rule, SSH from anywhere as the default network has it.
  const ref = wantsFirewall(intent) ? await ensureFirewall(deps, pool, ns, name, conn, events) : had?.status === 'ready' && had.id ? { id: had.id, name: had.name } : undefined;
  const entry = deps.store.getMcis(ns, name)?.firewalls?.[conn];
  const network = networkOf(deps, conn);
  if (!ref || !entry || !network) return ref;
  const { driver } = await pool.get(conn);
  const vms = deps.store.listVms(ns, name).filter((v) => MEMBER.has(v.status));
  const here = vms.filter((v) => v.connection === conn);
  if (entry.attachPending) {
    // Most clouds take one call or two per VM (EC2's groups, GCE's tags): a few runs side by side, not one loop over all.
    const ids = here.flatMap((v) => (v.providerId ? [v.providerId] : []));
    const parts = Array.from({ length: Math.min(ATTACH_PARALLEL, ids.length) }, (_, i) => ids.filter((_, j) => j % ATTACH_PARALLEL === i));
    await Promise.all(parts.map((providerIds) => driver.firewall!.attach(ref, { network, providerIds })));
    events({ type: 'resource', connection: conn, kind: 'firewall', state: 'ready', message: `${ref.id}: attached ${here.length} VM(s) launched before it` });
  }
  const rules = resolveRules(intent, conn, vms, overlaySourcesOf(deps, rec, conn, vms));
  const targets = [...new Set(here.flatMap((v) => (v.privateIp ? [v.privateIp] : [])))].sort();
  // Under the connection's resource lock: MCISes sharing a connection may share one object
  // there (Azure's NSG), and two syncs must not pick the same free rule priority.
  const held = await withResourceLock(deps, conn, async () => {
    await driver.firewall!.setRules(ref, { network, rules, targets });
    // What the cloud holds after the sync is what a later plan compares with (drift).
    return (await driver.firewall!.read(ref, network)).rules.map(ruleKey).sort();
  });
  setEntry(deps, ns, name, conn, { status: entry.status, name: entry.name, ...(entry.id ? { id: entry.id } : {}), applied: held });
  return ref;
}

/**
 * Whether some connection's MCIS firewall lacks an overlay source its VMs' peers now need (a hub
 * moved while the firewall was not synced, a VM came back with a new address), going by what each
 * firewall held after its last sync.
 */
export function overlayRulesMissing(deps: OrchestratorDeps, ns: string, name: string): boolean {
  const rec = deps.store.getMcis(ns, name);
  if (!rec?.overlay) return false;
  const port = rec.overlay.port ?? OVERLAY_PORT;
  const vms = deps.store.listVms(ns, name).filter((v) => MEMBER.has(v.status));
  return Object.entries(rec.firewalls ?? {}).some(([conn, entry]) => {
    if (entry.status !== 'ready' || !entry.applied) return false;
    // A cloud may give a host back without its /32: both sides are compared without it.
    const bare = (key: string) => key.replace(/\/32$/, '');
    const held = new Set(entry.applied.map(bare));
    return (overlaySourcesOf(deps, rec, conn, vms) ?? []).some((source) => !held.has(bare(ruleKey({ protocol: 'udp', fromPort: port, toPort: port, source }))));
  });
}

/** What each connection's MCIS firewall holds now (ruleKey form), for plan's drift check; unreadable ones are left out. */
export async function readFirewalls(deps: OrchestratorDeps, pool: DriverPool, rec: Mcis): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  await Promise.all(
    Object.entries(rec.firewalls ?? {}).map(async ([conn, entry]) => {
      const network = networkOf(deps, conn);
      if (entry.status !== 'ready' || !entry.id || !network) return;
      try {
        const { driver } = await pool.get(conn);
        const read = await driver.firewall?.read({ id: entry.id, name: entry.name }, network);
        if (read) out.set(conn, read.rules.map(ruleKey).sort());
      } catch {
        // An unreachable connection shows as such through the VM refresh.
      }
    }),
  );
  return out;
}

/** Removes the MCIS firewall objects (after its VMs are gone); each record entry goes once its object is. */
export async function deleteFirewalls(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, events: EventSink, only?: ReadonlySet<string>): Promise<Array<{ connection: string; error: string }>> {
  const rec = deps.store.getMcis(ns, name);
  const failed: Array<{ connection: string; error: string }> = [];
  await Promise.all(
    Object.entries(rec?.firewalls ?? {})
      .filter(([conn]) => !only || only.has(conn))
      .map(async ([conn, entry]) => {
        try {
          const network = networkOf(deps, conn);
          const { driver } = await pool.get(conn);
          if (network && driver.firewall) {
            events({ type: 'resource', connection: conn, kind: 'firewall', state: 'deleting' });
            await driver.firewall.delete({ name: entry.name, network, ...(entry.id ? { id: entry.id } : {}) });
          }
          setEntry(deps, ns, name, conn, undefined);
          events({ type: 'resource', connection: conn, kind: 'firewall', state: 'deleted' });
        } catch (e) {
          failed.push({ connection: conn, error: e instanceof Error ? e.message : String(e) });
        }
      }),
  );
  return failed;
}
