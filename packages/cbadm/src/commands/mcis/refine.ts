import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';
import { help } from '../../help.js';

type Result = { mcis: McisView; removed: string[] };

export default class McisRefine extends BaseCommand<typeof McisRefine> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<Result> {
    return (await this.core()).mcis.refine({ ns: this.flags.ns, name: this.args.name, events: await this.progress(`refine ${this.args.name}`) });
  }

  protected override table(r: Result): string {
    return `${r.removed.length ? `Removed ${r.removed.join(', ')}.` : 'Nothing to refine.'}\n${mcisSummary(r.mcis)}`;
  }
}
help(McisRefine, 'mcis refine');
