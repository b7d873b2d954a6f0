/** The EC2 side of the twin: per-region data, action dispatch, snapshot form. */
import type { Ec2Env, InstanceLifecycle } from './context.js';
import { ACTIONS } from './dispatch.js';
import { Ec2Error } from './errors.js';
import { EC2_KINDS, type Ec2Resources, type RegionData } from './model.js';
import { tableEntries, tablesFrom, type TableEntries } from '../region-tables.js';
import { Params } from './query.js';
import { addDefaultVpc, newRegionData } from './records.js';
import { responseDoc } from './xml.js';
import { EngineBase, type EngineHooks } from '../engine-base.js';

export interface Ec2EngineOptions extends EngineHooks<InstanceLifecycle> {
  terminatedRetentionMs: number;
}

/** What state.json holds for EC2. */
export interface Ec2Snapshot {
  seq: number;
  regions: Record<string, { name: string; defaultVpcId?: string } & TableEntries<Ec2Resources>>;
}

export class Ec2Engine extends EngineBase<InstanceLifecycle> implements Ec2Env {
  private readonly regions = new Map<string, RegionData>();

  constructor(private readonly o: Ec2EngineOptions) {
    super(o);
  }

  get terminatedRetentionMs(): number {
    return this.o.terminatedRetentionMs;
  }

  /** The region's data, created (with its default VPC, as in every AWS account) on first use. */
  region(name: string): RegionData {
    let r = this.regions.get(name);
    if (!r) {
      r = newRegionData(name);
      this.regions.set(name, r);
      addDefaultVpc(this, r);
      this.changed();
    }
    return r;
  }

  /** Regions that hold data (those touched so far). */
  allRegions(): RegionData[] {
    return [...this.regions.values()];
  }

  hasAction(action: string): boolean {
    return Object.hasOwn(ACTIONS, action);
  }

  /** Runs one action; returns the response document or throws an Ec2Error. */
  handle(action: string, region: string, params: URLSearchParams, requestId: string): string {
    const handler = ACTIONS[action];
    if (!handler || !Object.hasOwn(ACTIONS, action)) {
      throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    const body = handler({ env: this, region: this.region(region), params: new Params(params), requestId });
    return responseDoc(action, requestId, body);
  }

  snapshot(): Ec2Snapshot {
    const regions: Ec2Snapshot['regions'] = {};
    for (const r of this.regions.values()) {
      regions[r.name] = { name: r.name, ...(r.defaultVpcId ? { defaultVpcId: r.defaultVpcId } : {}), ...tableEntries<Ec2Resources>(r, EC2_KINDS) };
    }
    return { seq: this.seq, regions };
  }

  restore(s: Ec2Snapshot): RegionData[] {
    this.seq = s.seq;
    for (const [name, entry] of Object.entries(s.regions)) {
      const r: RegionData = { name, ...tablesFrom<Ec2Resources>(entry, EC2_KINDS) };
      if (entry.defaultVpcId) r.defaultVpcId = entry.defaultVpcId;
      this.regions.set(name, r);
    }
    return this.allRegions();
  }
}
