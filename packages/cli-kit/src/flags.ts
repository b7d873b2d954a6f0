/** Flags shared by many commands of both CLIs; each reads an env var so CI pipelines can set it once. */
import { Flags } from '@oclif/core';
import { requireName } from '@cloud-barista/core/names';

/**
 * The `parse` of a flag whose value is a name (names become path segments and cloud labels): checked
 * where it enters, environment variables included; a bad one exits 2 naming the flag and the form.
 */
export const nameParse = (field: string) => async (value: string) => requireName(field, value);

/** The parse of every `--ns`, including commands that define their own (no default, other summary). */
export const nsParse = nameParse('--ns (CB_NS)');

export const nsFlag = Flags.string({ summary: 'Namespace.', env: 'CB_NS', default: 'default', parse: nsParse });
export const subgroupFlag = Flags.string({ summary: 'Only the VMs of this subgroup.', exclusive: ['vm'], parse: nameParse('--subgroup') });
export const vmFlag = Flags.string({ summary: 'Only this VM (e.g. web-1).', exclusive: ['subgroup'], parse: nameParse('--vm') });

/** The --subgroup / --vm pair as a selector, without keys for flags that were not given. */
export function selector(flags: { subgroup?: string | undefined; vm?: string | undefined }): {
  subgroup?: string;
  vm?: string;
} {
  return { ...(flags.subgroup ? { subgroup: flags.subgroup } : {}), ...(flags.vm ? { vm: flags.vm } : {}) };
}
