/** Opens the core for a CLI process with the lazy driver registry: only used SDKs get loaded. */
import type { Core } from '@cloud-barista/core';
import { openCore } from '@cloud-barista/core/core';
import { driverRegistry, withDriverDefaults } from '@cloud-barista/drivers';

export type CoreHandle = Core;

export async function openCliCore(): Promise<CoreHandle> {
  const ms = msFromEnv('CB_TIMEOUT_MS');
  // How often waits ask the cloud again (it backs off to 8 times that): a local twin answers at once,
  // an account near its API rate limit wants fewer calls.
  const pollMs = msFromEnv('CB_POLL_MS');
  const poll = pollMs === undefined ? {} : { pollMs };
  if (ms === undefined) return openCore({ drivers: driverRegistry, ...(pollMs === undefined ? {} : { timeouts: poll }) });
  // A throttled cloud call waits as long as any other wait may.
  return openCore({ drivers: withDriverDefaults(driverRegistry, { throttleWaitMs: ms }), timeouts: { runningMs: ms, sshMs: ms, actionMs: ms, ...poll } });
}

/** CB_TIMEOUT_MS caps every wait (handy in CI), CB_POLL_MS spaces the polls; unset means the defaults. */
function msFromEnv(name: string): number | undefined {
  const ms = Number(process.env[name]);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
