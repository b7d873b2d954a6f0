/**
 * What `mcis create` plans and what failover changes in it: types shared by create.ts and
 * failover.ts, kept apart so neither imports the other's module for its types.
 */
import type { OnFailure } from '../model.js';
import type { PlannedSubgroup } from './placement.js';

export interface PlannedVm {
  name: string;
  subgroup: string;
  connection: string;
  provider: string;
  region: string;
  spec: string;
  image: string;
}

export interface CreatePlan {
  ns: string;
  name: string;
  /** Each subgroup's connection, spec, image, count and cost per hour (and how it was placed). */
  subgroups: PlannedSubgroup[];
  /** Sum of the subgroups' cost per hour; null when some spec has no price in the catalog. */
  totalCostPerHour: number | null;
  /** E.g. catalog data older than the staleness limit. */
  warnings: string[];
  vms: PlannedVm[];
  connections: string[];
  onFailure: OnFailure;
  parallelism: number;
  /**
   * Set when an MCIS of that name exists: its status, and how the manifest differs from it (empty:
   * create continues it; otherwise create refuses, exit 5).
   */
  existing?: { status: string; differences: string[] };
}

/** One subgroup moved to its next candidate after a capacity or quota error. */
export interface FailoverMove {
  subgroup: string;
  from: { connection: string; spec: string };
  to: { connection: string; spec: string };
  code: string;
}
