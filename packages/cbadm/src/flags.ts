/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
export { nameParse, nsFlag, nsParse, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';
