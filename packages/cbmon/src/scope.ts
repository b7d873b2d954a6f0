/**
 * Which stored series a query or check reads: the MCIS must exist in the state store (or still have
 * data in the metrics store, after `cbadm mcis delete`), and --subgroup/--vm must name real ones.
 */
import type { Core } from '@cloud-barista/core';
import { NotFoundError } from '@cloud-barista/core/errors';
import type { MetricsStore, VmFilter } from '@cloud-barista/agent/store/metrics-store';
import { selectTargets, type MonTarget, type Selector } from '@cloud-barista/agent/targets';

/** The VMs a command or check works on: an MCIS of a namespace, all of it or a subgroup or VM. */
export interface VmScope {
  core: Core;
  store: MetricsStore;
  ns: string;
  mcis: string;
  selector: Selector;
}

export function storeScope({ core, store, ns, mcis, selector: sel }: VmScope): {
  filter: VmFilter;
  targets: MonTarget[] | null;
} {
  try {
    const targets = selectTargets(core, ns, mcis, sel);
    return { filter: { ns, mcis, vms: targets.map((t) => t.ref.vm) }, targets };
  } catch (e) {
    const known = store.vms({ ns, mcis });
    if (!(e instanceof NotFoundError) || e.what !== 'MCIS' || known.length === 0) throw e;
    // The MCIS is gone but its history is not: query what was stored.
    const vms = known
      .filter((v) => (!sel.vm || v.vm === sel.vm) && (!sel.subgroup || v.subgroup === sel.subgroup))
      .map((v) => v.vm);
    if (vms.length === 0)
      throw new NotFoundError(sel.vm ? 'VM' : 'subgroup', sel.vm ?? sel.subgroup ?? '', {
        hint: `stored VMs of '${mcis}': ${known.map((v) => v.vm).join(', ')}`,
      });
    return { filter: { ns, mcis, vms }, targets: null };
  }
}

/** Whether a collector holds the store's lock right now (a dead holder does not count). */
export function collectorRunning(core: Core): boolean {
  const lock = core.store.getLock('cbmon/collector');
  if (!lock) return false;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
