/** Opens the core for a CLI process with the lazy driver registry: only used SDKs get loaded. */
import type { Core } from '@cloud-barista/core';
import { openCore } from '@cloud-barista/core/core';
import { driverRegistry, withDriverDefaults } from '@cloud-barista/drivers';

export type CoreHandle = Core;

export async function openCliCore(): Promise<CoreHandle> {
  const ms = timeoutFromEnv();
  if (ms === undefined) return openCore({ drivers: driverRegistry });
  // A throttled cloud call waits as long as any other wait may.
  return openCore({ drivers: withDriverDefaults(driverRegistry, { throttleWaitMs: ms }), timeouts: { runningMs: ms, sshMs: ms, actionMs: ms } });
}

/** CB_TIMEOUT_MS caps every wait (handy in CI); unset means the defaults. */
function timeoutFromEnv(): number | undefined {
  const ms = Number(process.env.CB_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
