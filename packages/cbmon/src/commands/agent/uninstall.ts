import { Args } from '@oclif/core';
import type { AgentJobResult } from '@cloud-barista/agent/install';
import { BaseCommand } from '../../cli/base-command.js';
import { nsFlag, selector, subgroupFlag, vmFlag } from '../../cli/flags.js';
import { agentTable } from '../../cli/agent-render.js';

export default class AgentUninstall extends BaseCommand<typeof AgentUninstall> {
  static override summary = 'Stop and remove the agent (and its ring) from VMs of an MCIS. Idempotent.';
  static override examples = [
    '<%= config.bin %> agent uninstall web',
    '<%= config.bin %> agent uninstall web --vm web-2',
  ];
  static override args = { mcis: Args.string({ required: true, description: 'MCIS name' }) };
  static override flags = { ns: nsFlag, subgroup: subgroupFlag, vm: vmFlag };

  protected async execute(): Promise<AgentJobResult> {
    const { uninstallAgents, assertAllOk } = await import('@cloud-barista/agent/install');
    const { core, store } = await this.mon();
    const r = await uninstallAgents({
      core,
      store,
      ns: this.flags.ns,
      mcis: this.args.mcis,
      selector: selector(this.flags),
    });
    assertAllOk(r, 'agent uninstall');
    return r;
  }

  protected override table(r: AgentJobResult): string {
    return agentTable(r);
  }
}
