import { Args, Flags } from '@oclif/core';
import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameParse, nsFlag } from '../../flags.js';
import { mcisSummary } from '../../mcis-render.js';

export default class McisRegister extends BaseCommand<typeof McisRegister> {
  static override summary = 'Adopt existing machines reachable over SSH as an MCIS (exec, ssh and monitoring work; no cloud actions).';
  static override description =
    'Every host must accept the key before anything is recorded; host keys are pinned. Registered machines have no cloud API behind them: suspend/resume/reboot/terminate are refused with a clear message, and delete only removes the record.';
  static override examples = [
    '<%= config.bin %> mcis register onprem --host ubuntu@10.0.0.5 --host ubuntu@10.0.0.6 --key ~/.ssh/id_ed25519',
    '<%= config.bin %> mcis register lab --host admin@db1.example.com:2222 --key ./lab.pem --subgroup db',
  ];
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
