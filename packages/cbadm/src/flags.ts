/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
export { nsFlag, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';
