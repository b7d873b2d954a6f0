import type { AgentJobResult } from '@cloud-barista/agent/install';
import { BaseCommand } from '../../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../../cli/flags.js';
import { agentTable } from '../../cli/agent-render.js';

export default class AgentUninstall extends BaseCommand<typeof AgentUninstall> {
  static override summary = 'Stop and remove the agent (and its ring) from VMs of an MCIS. Idempotent.';
  static override examples = [
    '<%= config.bin %> agent uninstall web',
    '<%= config.bin %> agent uninstall web --vm web-2',
  ];
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
