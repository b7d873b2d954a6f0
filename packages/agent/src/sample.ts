/** What a sample is once it left the agent: who it is from, its sequence number, time and values. */

/** A VM as monitoring sees it: the identity tags of every line it sends. */
export interface VmRef {
  ns: string;
  mcis: string;
  vm: string;
  subgroup: string;
  /** The provider (Dragonfly calls it csp). */
  csp: string;
  region: string;
}

/** One line of a sample: a measurement with the tags that tell series apart (mount, device, interface). */
export interface SamplePoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
}

/** Everything one agent measured at one instant. */
export interface Sample {
  ref: VmRef;
  /** Per-agent sequence number: consecutive, so gaps are visible. */
  seq: number;
  /** Epoch milliseconds. */
  tsMs: number;
  points: SamplePoint[];
}

export function refKey(r: Pick<VmRef, 'ns' | 'mcis' | 'vm'>): string {
  return `${r.ns}/${r.mcis}/${r.vm}`;
}

/** `mount=/,device=/dev/vda`: the series key of a point within its VM ('' for cpu, mem, system). */
export function seriesTags(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}
