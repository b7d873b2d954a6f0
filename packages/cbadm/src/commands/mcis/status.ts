import { Flags } from '@oclif/core';
import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';

export default class McisStatus extends BaseCommand<typeof McisStatus> {
  static override summary = 'MCIS status as Tumblebug prints it (e.g. Running:3 (R:3/3)); --refresh asks the clouds.';
  static override examples = ['<%= config.bin %> mcis status web', '<%= config.bin %> mcis status web --refresh --json'];
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
