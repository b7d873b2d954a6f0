/**
 * `cbadm mcis nlb list|get|delete`: read the record (and, for get, HAProxy's stats socket on the
 * balancer VM); delete applies the MCIS's manifest without that balancer, so its VM and rules go
 * the way a removed subgroup's do.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { Mcis } from '../model.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';
import { nlbHealth, nlbViews, type NlbView } from './nlb.js';
import type { CreateOptions } from './create.js';
import type { ApplyResult } from './results.js';

export class NlbService {
  constructor(
    private readonly deps: OrchestratorDeps,
    private readonly mcis: { apply(input: CreateOptions): Promise<ApplyResult> },
  ) {}

  private record(ns: string, name: string): Mcis {
    const m = this.deps.store.getMcis(ns, name);
    if (!m) throw new NotFoundError('MCIS', name, { hint: `list them with: cbadm mcis list --ns ${ns}` });
    return m;
  }

  /** The MCIS's load balancers, from the record. */
  list(ns: string, name: string): NlbView[] {
    return nlbViews(this.record(ns, name), this.deps.store.listVms(ns, name));
  }

  /** One load balancer with each backend's health from HAProxy's stats socket on the balancer VM. */
  async get(ns: string, name: string, lb: string): Promise<NlbView> {
    return nlbHealth(this.deps, this.record(ns, name), this.deps.store.listVms(ns, name), lb);
  }

  /** Removes a load balancer: the MCIS's manifest without it, applied. */
  async delete(args: { ns: string; name: string; lb: string } & RunOptions): Promise<ApplyResult> {
    const rec = this.record(args.ns, args.name);
    if (rec.deleting) throw new ConflictError(`MCIS '${args.name}' is being deleted`, { hint: `finish the delete with: cbadm mcis delete ${args.name}` });
    const lbs = rec.loadBalancers ?? [];
    if (!lbs.some((l) => l.name === args.lb)) {
      throw new NotFoundError(`load balancer of MCIS '${args.name}'`, args.lb, { hint: lbs.length ? `its load balancers: ${lbs.map((l) => l.name).join(', ')}` : 'it has none' });
    }
    const { manifestOf } = await import('./apply.js');
    const manifest = manifestOf(rec);
    const rest = lbs.filter((l) => l.name !== args.lb);
    const spec = { ...manifest.spec };
    delete spec.loadBalancers;
    manifest.spec = rest.length ? { ...spec, loadBalancers: rest } : spec;
    return this.mcis.apply({ ns: args.ns, manifest, ...(args.events ? { events: args.events } : {}), ...(args.signal ? { signal: args.signal } : {}) });
  }
}
