/** The ECS side of the twin: per-region data, action dispatch, snapshot form. */
import { EngineBase, type EngineHooks } from '../engine-base.js';
import type { VmBacking } from '../vm/lifecycle.js';
import { CATALOG_ACTIONS } from './catalog.js';
import type { EcsCtx, EcsEnv, EcsHandler } from './context.js';
import { EcsError } from './errors.js';
import { INSTANCE_ACTIONS } from './instance-actions.js';
import { GROUP_ACTIONS } from './instance-groups.js';
import { RUN_ACTIONS } from './instances.js';
import { KEY_ACTIONS } from './keys.js';
import { ECS_KINDS, type EcsInstance, type EcsRegion, type EcsResources, newEcsRegion } from './model.js';
import { tableEntries, tablesFrom, type TableEntries } from '../region-tables.js';
import { NETWORK_ACTIONS } from './network.js';
import type { Params, WireObject } from './wire.js';

export type EcsEngineOptions = EngineHooks<VmBacking>;

const ACTIONS: Readonly<Record<string, EcsHandler>> = { ...CATALOG_ACTIONS, ...NETWORK_ACTIONS, ...KEY_ACTIONS, ...RUN_ACTIONS, ...INSTANCE_ACTIONS, ...GROUP_ACTIONS };

/** What state.json holds for ECS. */
export interface EcsSnapshot {
  seq: number;
  regions: Array<{ id: string } & TableEntries<EcsResources>>;
}

export class EcsEngine extends EngineBase<VmBacking> implements EcsEnv {
  private readonly regions = new Map<string, EcsRegion>();

  constructor(private readonly o: EcsEngineOptions) {
    super(o);
  }

  hasAction(action: string): boolean {
    return Object.hasOwn(ACTIONS, action);
  }

  region(id: string): EcsRegion {
    let r = this.regions.get(id);
    if (!r) {
      r = newEcsRegion(id);
      this.regions.set(id, r);
      this.changed();
    }
    this.sweep(r);
    return r;
  }

  /** Deleted instances leave the listing once their VM is gone (ECS forgets them at once). */
  private sweep(r: EcsRegion): void {
    for (const [id, i] of r.instances) {
      if (i.state === 'terminated') {
        r.instances.delete(id);
        this.changed();
      }
    }
  }

  allRegions(): EcsRegion[] {
    return [...this.regions.values()].map((r) => {
      this.sweep(r);
      return r;
    });
  }

  /** The region holding an instance of that id, if any. */
  regionOfInstance(id: string): string | undefined {
    return [...this.regions.values()].find((r) => r.instances.has(id))?.id;
  }

  allInstances(): EcsInstance[] {
    return this.allRegions().flatMap((r) => [...r.instances.values()]);
  }

  handle(action: string, regionId: string, params: Params, requestId: string): WireObject {
    const handler = ACTIONS[action];
    if (!handler) throw new EcsError('InvalidAction.NotFound');
    const ctx: EcsCtx = { env: this, region: this.region(regionId), params, requestId };
    return handler(ctx);
  }

  snapshot(): EcsSnapshot {
    return {
      seq: this.seq,
      regions: this.allRegions().map((r) => ({ id: r.id, ...tableEntries<EcsResources>(r, ECS_KINDS) })),
    };
  }

  /** Loads a snapshot and picks every VM up where it was. */
  restore(s: EcsSnapshot): void {
    this.seq = s.seq;
    for (const saved of s.regions) {
      const r: EcsRegion = { id: saved.id, ...tablesFrom<EcsResources>(saved, ECS_KINDS) };
      this.regions.set(r.id, r);
      this.o.lifecycle.resume(r);
    }
  }
}
