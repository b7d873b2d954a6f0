/** `cbadm init`, the Cloud-Twin path: what `cbadm twin up && cbadm twin connect` do, in one step. */
import type { Core } from '@cloud-barista/core';
import { twinConnect } from '../twin/connect.js';
import { twinUp } from '../twin/control.js';

export interface TwinInitResult {
  path: 'twin';
  endpoints: Record<string, string>;
  connections: string[];
}

export async function initTwin(core: Core): Promise<TwinInitResult> {
  const { driverRegistry } = await import('@cloud-barista/drivers');
  const status = await twinUp({ stateDir: core.home.twin, bootDelay: process.env.CB_TWIN_BOOT_DELAY ?? '2s', ...(process.env.CB_TWIN_STOP_DELAY ? { stopDelay: process.env.CB_TWIN_STOP_DELAY } : {}), sshPort: Number(process.env.CB_TWIN_SSH_PORT ?? 2222) });
  const connected = await twinConnect(core, driverRegistry, core.home.twin);
  return { path: 'twin', endpoints: { ...(status.endpoints ?? {}) }, connections: connected.connections.map((c) => c.name) };
}
