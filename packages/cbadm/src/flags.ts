/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
import { Args, Flags } from '@oclif/core';
import { nsParse } from '@cloud-barista/cli-kit/flags';
export { nameParse, nsFlag, nsParse, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';

/** Skips the confirmation of a destructive command; off a terminal it is required. */
export const yesFlag = Flags.boolean({ char: 'y', summary: 'Go ahead without asking (required off a terminal).', env: 'CB_YES' });

/** The one argument of the commands that act on a named thing (an MCIS, a connection, a cluster…). */
export const nameArgs = { name: Args.string({ required: true }) };

/** -f and --ns of the commands that read an MCIS manifest (create, plan, apply). */
export const manifestFlags = {
  file: Flags.string({ char: 'f', required: true, summary: "Manifest file (YAML), or '-' for standard input." }),
  ns: Flags.string({ summary: 'Namespace (default: metadata.namespace of the manifest, else default).', env: 'CB_NS', parse: nsParse }),
};
