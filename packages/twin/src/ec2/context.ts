import type { Instance, RegionData } from './model.js';
import type { Params } from './query.js';
import type { XmlChild } from './xml.js';

/** What instance handlers need from the lifecycle engine (timers, SSH servers, IPs). */
export interface InstanceLifecycle {
  /** A freshly launched instance (state pending): boot it in the background. */
  launch(region: RegionData, inst: Instance): void;
  start(region: RegionData, inst: Instance): void;
  stop(region: RegionData, inst: Instance): void;
  reboot(region: RegionData, inst: Instance): void;
  terminate(region: RegionData, inst: Instance): void;
  /** A new host key for a VM. */
  hostKey(): { privateKey: string; publicKey: string };
}

export interface Ec2Env {
  region(name: string): RegionData;
  nextSeq(): number;
  lifecycle: InstanceLifecycle;
  /** Something changed: schedule a state snapshot. */
  changed(): void;
  now(): number;
  terminatedRetentionMs: number;
}

export interface Ctx {
  env: Ec2Env;
  region: RegionData;
  params: Params;
  requestId: string;
}

export type Handler = (ctx: Ctx) => XmlChild[];
