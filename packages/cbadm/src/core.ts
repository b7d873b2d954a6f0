/** Opens the core for a CLI process with the lazy driver registry: only used SDKs get loaded. */
import type { Core } from '@cloud-barista/core';
import { openCore } from '@cloud-barista/core/core';
import { driverRegistry } from '@cloud-barista/drivers';

export type CoreHandle = Core;

export async function openCliCore(): Promise<CoreHandle> {
  return openCore({ drivers: driverRegistry, timeouts: timeoutsFromEnv() });
}

/** CB_TIMEOUT_MS caps every wait (handy in CI); unset means the defaults. */
function timeoutsFromEnv() {
  const ms = Number(process.env.CB_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? { runningMs: ms, sshMs: ms, actionMs: ms } : {};
}
