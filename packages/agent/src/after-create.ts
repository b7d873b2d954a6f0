/**
 * `cbadm mcis create --install-mon-agent`: create the MCIS, then install the agent on its VMs once
 * they run. Here, below both CLIs, so cbadm's command stays thin and cbadm never imports cbmon.
 */
import type { Core } from '@cloud-barista/core';
import { PartialError } from '@cloud-barista/core/errors';
import { assertAllOk, installAgents, type AgentJobResult, type InstallOptions } from './install.js';

export type AgentSettings = Pick<InstallOptions, 'intervalMs' | 'push' | 'onVm'>;

/**
 * Runs `create`, then installs agents on the MCIS it made. Some VMs failed to come up (PartialError):
 * agents go on the VMs that did, and the PartialError is re-thrown with `monitoring` in its result.
 * An agent that fails to install makes the whole a PartialError (or OperationError when none
 * installed); the MCIS is left as created either way.
 */
export async function createWithAgents<R extends { mcis: { name: string } }>(
  core: Core,
  ns: string,
  create: () => Promise<R>,
  settings: AgentSettings,
): Promise<R & { monitoring: AgentJobResult }> {
  const install = (mcis: string) => installAgents({ core, ns, mcis, ...settings });
  let created: R;
  try {
    created = await create();
  } catch (e) {
    if (!(e instanceof PartialError)) throw e;
    const partial = e.result as R;
    const monitoring = await install(partial.mcis.name);
    throw new PartialError(e.message, { ...partial, monitoring }, e.hint ? { hint: e.hint } : {});
  }
  const monitoring = await install(created.mcis.name);
  assertAllOk(monitoring, 'monitoring agent install');
  return { ...created, monitoring };
}
