import { Args, Flags } from '@oclif/core';
import type { AlertDoc } from '../../alerts/alerts.js';
import { BaseCommand } from '../../cli/base-command.js';
import { nsFlag } from '../../cli/flags.js';
import { help } from '../../cli/help.js';

export default class AlertAdd extends BaseCommand<typeof AlertAdd> {
  static override args = { name: Args.string({ required: true, description: 'Alert name (e.g. cpu-hot)' }) };
  static override flags = {
    rule: Flags.string({ summary: 'The rule.', required: true }),
    ns: nsFlag,
    mcis: Flags.string({ summary: 'Only this MCIS (default: every MCIS of the namespace).' }),
    exec: Flags.string({ summary: 'Shell command to run on each change.', exclusive: ['webhook'] }),
    webhook: Flags.string({ summary: 'URL to POST each change to.', exclusive: ['exec'] }),
    replace: Flags.boolean({ summary: 'Replace an alert of that name.' }),
  };

  protected async execute(): Promise<AlertDoc> {
    const { addAlert } = await import('../../alerts/alerts.js');
    const { store } = await this.mon();
    return addAlert(store, {
      name: this.args.name,
      rule: this.flags.rule,
      ns: this.flags.ns,
      ...(this.flags.mcis ? { mcis: this.flags.mcis } : {}),
      ...(this.flags.exec ? { exec: this.flags.exec } : {}),
      ...(this.flags.webhook ? { webhook: this.flags.webhook } : {}),
      replace: this.flags.replace,
    });
  }

  protected override table(a: AlertDoc): string {
    return `Alert '${a.name}' added: ${a.rule} on ${a.mcis ? `${a.ns}/${a.mcis}` : `every MCIS of ${a.ns}`}.\nA running collector evaluates it (cbmon collector start).`;
  }
}
help(AlertAdd, 'alert add');
