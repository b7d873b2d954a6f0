import type { NlbView } from '@cloud-barista/core';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { nlbTable } from '../../../nlb-render.js';
import { help } from '../../../help.js';

export default class McisNlbList extends BaseCommand<typeof McisNlbList> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<NlbView[]> {
    return (await this.core()).mcis.nlb.list(this.flags.ns, this.args.name);
  }

  protected override table(list: NlbView[]): string {
    return nlbTable(list);
  }
}
help(McisNlbList, 'mcis nlb list');
