import { Args } from '@oclif/core';
import { UsageError, type NlbView } from '@cloud-barista/core';
import { BaseCommand } from '../../../base-command.js';
import { nsFlag } from '../../../flags.js';
import { nlbDetail } from '../../../nlb-render.js';
import { help } from '../../../help.js';

export default class McisNlbGet extends BaseCommand<typeof McisNlbGet> {
  static override args = {
    name: Args.string({ required: true, description: 'MCIS' }),
    lb: Args.string({ required: false, description: 'load balancer (optional when the MCIS has one)' }),
  };
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<NlbView> {
    const { mcis } = await this.core();
    let lb = this.args.lb;
    if (!lb) {
      const all = mcis.nlb.list(this.flags.ns, this.args.name);
      if (all.length !== 1) {
        throw new UsageError(`MCIS '${this.args.name}' has ${all.length} load balancers: name one`, { hint: all.length ? `cbadm mcis nlb get ${this.args.name} ${all[0]!.name}` : 'add one under spec.loadBalancers and run cbadm apply' });
      }
      lb = all[0]!.name;
    }
    return mcis.nlb.get(this.flags.ns, this.args.name, lb);
  }

  protected override table(l: NlbView): string {
    return nlbDetail(l);
  }
}
help(McisNlbGet, 'mcis nlb get');
