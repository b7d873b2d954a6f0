import { Flags } from '@oclif/core';
import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';
import { help } from '../../help.js';

export default class McisStatus extends BaseCommand<typeof McisStatus> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag, refresh: Flags.boolean({ summary: 'Reconcile the record with the clouds first.' }) };

  protected async execute(): Promise<McisView> {
    const { mcis } = await this.core();
    return this.flags.refresh ? mcis.refresh({ ns: this.flags.ns, name: this.args.name }) : mcis.view(this.flags.ns, this.args.name);
  }

  protected override table(m: McisView): string {
    return mcisSummary(m);
  }
}
help(McisStatus, 'mcis status');
