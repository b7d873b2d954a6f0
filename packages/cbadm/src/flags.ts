/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
import { Flags } from '@oclif/core';
export { nameParse, nsFlag, nsParse, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';

/** Skips the confirmation of a destructive command; off a terminal it is required. */
export const yesFlag = Flags.boolean({ char: 'y', summary: 'Go ahead without asking (required off a terminal).', env: 'CB_YES' });
