/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
import { Flags } from '@oclif/core';

export { nsFlag, selector, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';

export const durationFlag = (summary: string, extra: { default?: string; env?: string } = {}) =>
  Flags.string({ summary, ...extra });
