import { Args } from '@oclif/core';
import type { ApplyResult } from '@cloud-barista/core';
import { BaseCommand } from '../../../base-command.js';
import { nsFlag, yesFlag } from '../../../flags.js';
import { mcisSummary } from '../../../mcis-render.js';
import { changeLines } from '../../../plan-render.js';
import { help } from '../../../help.js';

export default class McisNlbDelete extends BaseCommand<typeof McisNlbDelete> {
  static override args = {
    name: Args.string({ required: true, description: 'MCIS' }),
    lb: Args.string({ required: true, description: 'load balancer' }),
  };
  static override flags = { ns: nsFlag, yes: yesFlag };

  protected async execute(): Promise<ApplyResult> {
    const { mcis } = await this.core();
    const lb = mcis.nlb.list(this.flags.ns, this.args.name).find((l) => l.name === this.args.lb);
    const items = lb ? [`load balancer ${lb.name} (${lb.publicIp ?? '-'}:${lb.port})`, ...(lb.vm ? [`VM ${lb.vm}`] : [])] : [`load balancer ${this.args.lb}`];
    await this.confirm({ action: `delete load balancer ${this.args.lb} of MCIS ${this.args.name}`, items, confirmed: this.flags.yes });
    return mcis.nlb.delete({ ns: this.flags.ns, name: this.args.name, lb: this.args.lb, events: await this.progress(`nlb delete ${this.args.lb}`) });
  }

  protected override table(r: ApplyResult): string {
    return `${changeLines(r.plan.changes)}\n${mcisSummary(r.mcis)}`;
  }
}
help(McisNlbDelete, 'mcis nlb delete');
