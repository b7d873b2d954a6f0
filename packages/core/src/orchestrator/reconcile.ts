/**
 * `mcis status --refresh`: the record takes what the clouds say of each VM (status, addresses), one
 * describe per connection; a VM the cloud no longer knows becomes Undefined.
 */
import { nowIso } from '../domain.js';
import type { DriverPool } from '../driver/pool.js';
import type { OrchestratorDeps } from './deps.js';
import { groupByConnection } from './group.js';
import { applyInfo } from './wait.js';

export async function reconcileRecord(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string): Promise<void> {
  const vms = deps.store.listVms(ns, name).filter((v) => v.providerId);
  await Promise.all(
    [...groupByConnection(vms)].map(async ([conn, list]) => {
      const { driver } = await pool.get(conn);
      const infos = new Map((await driver.vms.describe(list.map((v) => v.providerId!))).map((i) => [i.providerId, i]));
      for (const vm of list) {
        const info = infos.get(vm.providerId!);
        deps.store.updateVm(ns, name, vm.name, (c) => {
          if (info) {
            // A VM we recorded as Failed (e.g. SSH never answered) stays Failed while the cloud says it runs.
            const next = applyInfo(c, info);
            return c.status === 'Failed' && info.status === 'Running' ? { ...next, status: 'Failed' } : next;
          }
          if (c.status === 'Terminated' || c.status === 'Terminating') return { ...c, status: 'Terminated', publicIp: undefined };
          return { ...c, status: 'Undefined', error: 'the cloud no longer knows this VM', updatedAt: nowIso() };
        });
      }
    }),
  );
}
