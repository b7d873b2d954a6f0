import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { help } from '../../help.js';

type IamState = { deny: string[] };

export default class TwinIam extends BaseCommand<typeof TwinIam> {
  static override strict = false;
  static override args = { permission: Args.string({ description: 'Permission(s) to deny.' }) };
  static override flags = {
    clear: Flags.boolean({ summary: 'Deny nothing again.' }),
  };

  protected async execute(): Promise<IamState> {
    const [{ twinAdmin }, { UsageError }] = await Promise.all([import('../../twin/control.js'), import('@cloud-barista/core/errors')]);
    const permissions = this.argv.filter((a) => !a.startsWith('-'));
    if (this.flags.clear && permissions.length) throw new UsageError('give permissions to deny or --clear, not both', { hint: 'cbadm twin iam --clear' });
    const change = this.flags.clear || permissions.length > 0;
    return twinAdmin<IamState>(change ? 'PUT' : 'GET', '/iam', change ? { deny: this.flags.clear ? [] : permissions } : undefined, 'see `cbadm twin iam --help`');
  }

  protected override table(s: IamState): string {
    return s.deny.length ? `Denied: ${s.deny.join(', ')}` : 'Nothing denied.';
  }
}
help(TwinIam, 'twin iam');
