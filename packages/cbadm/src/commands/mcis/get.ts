import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';
import { help } from '../../help.js';

export default class McisGet extends BaseCommand<typeof McisGet> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<McisView> {
    return (await this.core()).mcis.view(this.flags.ns, this.args.name);
  }

  protected override table(m: McisView): string {
    return mcisSummary(m);
  }
}
help(McisGet, 'mcis get');
