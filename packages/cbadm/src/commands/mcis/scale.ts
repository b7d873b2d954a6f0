import { Flags } from '@oclif/core';
import type { ApplyResult } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';
import { changeLines } from '../../plan-render.js';
import { help } from '../../help.js';

export default class McisScale extends BaseCommand<typeof McisScale> {
  static override args = nameArgs;
  static override flags = {
    ns: nsFlag,
    subgroup: Flags.string({ char: 's', required: true, summary: 'Subgroup to scale.' }),
    count: Flags.integer({ char: 'c', required: true, min: 1, max: 1000, summary: 'VMs the subgroup should have.' }),
  };

  protected async execute(): Promise<ApplyResult> {
    const { mcis } = await this.core();
    return mcis.scale({ ns: this.flags.ns, name: this.args.name, subgroup: this.flags.subgroup, count: this.flags.count, events: await this.progress(`scale ${this.args.name}`) });
  }

  protected override table(r: ApplyResult): string {
    if (!r.plan.changes.length) return `MCIS ${r.plan.ns}/${r.plan.name}: ${this.flags.subgroup} already has ${this.flags.count} VM(s).`;
    return `${changeLines(r.plan.changes)}\n${mcisSummary(r.mcis)}`;
  }
}
help(McisScale, 'mcis scale');
