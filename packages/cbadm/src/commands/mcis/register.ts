import { Args, Flags } from '@oclif/core';
import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameParse, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';
import { help } from '../../help.js';

export default class McisRegister extends BaseCommand<typeof McisRegister> {
  static override args = { name: Args.string({ required: true, description: 'MCIS name.' }) };
  static override flags = {
    ns: nsFlag,
    host: Flags.string({ required: true, multiple: true, summary: 'USER@HOST[:PORT] (repeatable).' }),
    key: Flags.string({ required: true, summary: 'Private key file that logs in to the hosts.' }),
    subgroup: Flags.string({ default: 'host', summary: 'Subgroup name; VMs are named <subgroup>-<n>.', parse: nameParse('--subgroup') }),
    region: Flags.string({ summary: 'A location label for the machines (default external).' }),
  };

  protected async execute(): Promise<McisView> {
    const { parseHostSpec } = await import('@cloud-barista/core');
    const hosts = this.flags.host.map((h) => parseHostSpec(h));
    return (await this.core()).mcis.register({
      ns: this.flags.ns,
      name: this.args.name,
      subgroup: this.flags.subgroup,
      hosts,
      keyFile: this.flags.key,
      ...(this.flags.region ? { region: this.flags.region } : {}),
    });
  }

  protected override table(m: McisView): string {
    return mcisSummary(m);
  }
}
help(McisRegister, 'mcis register');
