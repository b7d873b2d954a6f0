import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';

export default class McisGet extends BaseCommand<typeof McisGet> {
  static override summary = 'Show an MCIS and its VMs (status, addresses, SSH, ids) from the record.';
  static override examples = ['<%= config.bin %> mcis get web', '<%= config.bin %> mcis get web --json | jq -r .vms[].publicIp'];
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<McisView> {
    return (await this.core()).mcis.view(this.flags.ns, this.args.name);
  }

  protected override table(m: McisView): string {
    return mcisSummary(m);
  }
}
