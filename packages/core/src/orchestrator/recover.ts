/**
 * `cbadm state recover`: rebuilds the records of a damaged (or lost) store from what the clouds
 * say. Connections and credential records are salvaged from the old file or its backup; then every
 * connection's driver lists the instances tagged `cb-managed` and `cb-connection=<it>`, and each
 * (cb-ns, cb-mcis) becomes an MCIS again with its VMs, so `mcis get/exec/delete` work as before.
 * Default networks and key pairs need no record: a create adopts them, `connection cleanup` finds them.
 */
import { existsSync } from 'node:fs';
import { CredentialService } from '../credentials.js';
import { nowIso, TAG } from '../domain.js';
import type { DriverRegistry, VmInfo } from '../driver/port.js';
import type { HomePaths } from '../home.js';
import { aggregateStatus } from '../lifecycle.js';
import type { Connection, Credential, Mcis, Subgroup, Vm } from '../model.js';
import { moveAside, salvageRecords } from '../store/maintenance.js';
import { compareVmNames, SqliteStateStore } from '../store/sqlite-store.js';
import { DriverPool } from '../driver/pool.js';

export interface RecoveredMcis {
  ns: string;
  name: string;
  vms: number;
  status: string;
}

export interface RecoverResult {
  file: string;
  /** Where the store it replaced was kept (nothing is deleted). */
  keptAs?: string;
  connections: string[];
  credentials: string[];
  mcis: RecoveredMcis[];
  /** Connections whose cloud could not be asked: their MCIS may be missing; re-run when it answers. */
  failed: Array<{ connection: string; error: string }>;
}

function byName<T extends { name: string }>(...lists: T[][]): T[] {
  const out = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!out.has(item.name)) out.set(item.name, item);
  return [...out.values()];
}

/** `web-12` → `web`: VMs are named `<subgroup>-<n>`. */
function subgroupOf(vm: string): string {
  return vm.replace(/-\d+$/, '');
}

export async function recoverState(o: { home: HomePaths; drivers: DriverRegistry }): Promise<RecoverResult> {
  const file = o.home.db;
  const fromFile = salvageRecords(file);
  const fromBackup = salvageRecords(`${file}.bak`);
  const connections: Connection[] = byName(fromFile.connections, fromBackup.connections);
  const credentials: Credential[] = byName(fromFile.credentials, fromBackup.credentials);
  const keptAs = existsSync(file) ? moveAside(file) : undefined;

  const store = new SqliteStateStore(file);
  const pool = new DriverPool(store, o.drivers, new CredentialService(store, o.home));
  try {
    for (const c of credentials) store.putCredential(c);
    for (const c of connections) store.putConnection(c);

    const failed: RecoverResult['failed'] = [];
    const found: Array<{ connection: Connection; info: VmInfo; sshUser: string }> = [];
    await Promise.all(
      connections.map(async (c) => {
        try {
          const { driver } = await pool.get(c.name);
          const live = (await driver.vms.findByTags({ [TAG.managed]: 'true', [TAG.connection]: c.name })).filter(
            (i) => i.status !== 'Terminated' && i.tags[TAG.ns] && i.tags[TAG.mcis] && i.tags[TAG.vm],
          );
          const users = new Map<string, string>();
          for (const info of live) {
            const image = info.image ?? '';
            if (!users.has(image)) users.set(image, image ? (await driver.catalog.resolveImage(image).catch(() => undefined))?.sshUser ?? '' : '');
            found.push({ connection: c, info, sshUser: users.get(image) || 'ubuntu' });
          }
        } catch (e) {
          failed.push({ connection: c.name, error: (e as Error).message });
        }
      }),
    );

    const groups = new Map<string, typeof found>();
    for (const f of found) {
      const key = `${f.info.tags[TAG.ns]}\t${f.info.tags[TAG.mcis]}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const now = nowIso();
    const mcis: RecoveredMcis[] = [];
    for (const [key, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const [ns = '', name = ''] = key.split('\t');
      const vms: Vm[] = members.map(({ connection, info, sshUser }) => ({
        name: info.tags[TAG.vm]!,
        subgroup: subgroupOf(info.tags[TAG.vm]!),
        connection: connection.name,
        provider: connection.provider,
        region: connection.region,
        ...(info.zone ? { zone: info.zone } : {}),
        spec: info.spec ?? 'unknown',
        image: info.image ?? 'unknown',
        status: info.status,
        origin: 'cloud',
        // The create that made it is over: a fresh token can never adopt another VM by mistake.
        clientToken: `recovered-${info.providerId}`,
        providerId: info.providerId,
        nativeState: info.nativeState,
        ...(info.publicIp ? { publicIp: info.publicIp } : {}),
        ...(info.privateIp ? { privateIp: info.privateIp } : {}),
        sshPort: connection.sshPort,
        sshUser,
        createdAt: info.launchedAt ?? now,
        updatedAt: now,
      }));
      const subgroups = new Map<string, Subgroup>();
      for (const vm of vms) {
        const sg = subgroups.get(vm.subgroup);
        if (sg) sg.count++;
        else subgroups.set(vm.subgroup, { name: vm.subgroup, connection: vm.connection, count: 1, spec: vm.spec, image: vm.image, sshUser: vm.sshUser });
      }
      const record: Mcis = { ns, name, labels: {}, subgroups: [...subgroups.values()], policy: { onFailure: 'continue' }, targetAction: 'recover', createdAt: now, updatedAt: now };
      store.createMcis(record);
      for (const vm of vms.sort(compareVmNames)) store.putVm(ns, name, vm);
      mcis.push({ ns, name, vms: vms.length, status: aggregateStatus(vms.map((v) => v.status)).status });
    }
    return {
      file,
      ...(keptAs ? { keptAs } : {}),
      connections: connections.map((c) => c.name),
      credentials: credentials.map((c) => c.name),
      mcis,
      failed,
    };
  } finally {
    await pool.closeAll();
    store.close();
  }
}
