import { Args, Flags } from '@oclif/core';
import type { AlertDoc } from '../../alerts/alerts.js';
import { BaseCommand } from '../../cli/base-command.js';
import { nsFlag } from '../../cli/flags.js';

export default class AlertAdd extends BaseCommand<typeof AlertAdd> {
  static override summary =
    'Add an alert rule; the running collector evaluates it and acts when a series starts or stops firing.';
  static override description = [
    "Rules: METRIC OP NUMBER [for DURATION], e.g. 'cpu_utilization > 80 for 2m'.",
    '--exec runs a shell command with the notification as JSON on stdin and CBMON_ALERT, CBMON_STATUS (firing|resolved), CBMON_VM, CBMON_VALUE… in its environment; --webhook POSTs the same JSON. Without either, the collector logs it.',
  ].join('\n');
  static override examples = [
    "<%= config.bin %> alert add cpu-hot --rule 'cpu_utilization > 80 for 2m' --mcis web --webhook https://hooks.example.com/cbmon",
    "<%= config.bin %> alert add disk-full --rule 'disk_utilization > 90' --exec 'logger -t cbmon \"$CBMON_VM $CBMON_STATUS\"'",
  ];
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
