import type { AgentJobResult } from '@cloud-barista/agent/install';
import { BaseCommand } from '../../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../../cli/flags.js';
import { agentTable } from '../../cli/agent-render.js';
import { help } from '../../cli/help.js';

export default class AgentUninstall extends BaseCommand<typeof AgentUninstall> {
  static override args = mcisArgs;
  static override flags = vmScopeFlags;

  protected async execute(): Promise<AgentJobResult> {
    const { uninstallAgents, assertAllOk } = await import('@cloud-barista/agent/install');
    const r = await uninstallAgents(await this.vmScope());
    assertAllOk(r, 'agent uninstall');
    return r;
  }

  protected override table(r: AgentJobResult): string {
    return agentTable(r);
  }
}
help(AgentUninstall, 'agent uninstall');
