/** Flags shared by many commands of both CLIs; each reads an env var so CI pipelines can set it once. */
import { Flags } from '@oclif/core';

export const nsFlag = Flags.string({ summary: 'Namespace.', env: 'CB_NS', default: 'default' });
export const subgroupFlag = Flags.string({ summary: 'Only the VMs of this subgroup.', exclusive: ['vm'] });
export const vmFlag = Flags.string({ summary: 'Only this VM (e.g. web-1).', exclusive: ['subgroup'] });

/** The --subgroup / --vm pair as a selector, without keys for flags that were not given. */
export function selector(flags: { subgroup?: string | undefined; vm?: string | undefined }): {
  subgroup?: string;
  vm?: string;
} {
  return { ...(flags.subgroup ? { subgroup: flags.subgroup } : {}), ...(flags.vm ? { vm: flags.vm } : {}) };
}
