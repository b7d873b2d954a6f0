import type { NlbView } from '@cloud-barista/core';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { nlbTable } from '../../../nlb-render.js';

export default class McisNlbList extends BaseCommand<typeof McisNlbList> {
  static override summary = "List an MCIS's load balancers (spec.loadBalancers): listener, balancer VM, targets.";
  static override examples = ['<%= config.bin %> mcis nlb list shop', '<%= config.bin %> mcis nlb list shop --json'];
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<NlbView[]> {
    return (await this.core()).mcis.nlb.list(this.flags.ns, this.args.name);
  }

  protected override table(list: NlbView[]): string {
    return nlbTable(list);
  }
}
