/** suspend / resume / reboot / terminate share one shape: only the action differs. */
import { Args } from '@oclif/core';
import type { McisView, VmAction, ActionOutcome } from '@cloud-barista/core';
import { TRANSITIONS } from '@cloud-barista/core/lifecycle';
import { BaseCommand } from './base-command.js';
import { selector } from '@cloud-barista/cli-kit/flags';
import { nsFlag, subgroupFlag, vmFlag } from './flags.js';
import { failureSummary, mcisSummary } from './mcis-render.js';

export type ActionResult = { mcis: McisView; outcome: ActionOutcome };

export abstract class McisActionCommand extends BaseCommand<typeof McisActionCommand> {
  static override args = { name: Args.string({ required: true, description: 'MCIS name.' }) };
  static override flags = { ns: nsFlag, subgroup: subgroupFlag, vm: vmFlag };
  protected abstract readonly action: VmAction;
  /** Destructive actions (terminate) ask first; see BaseCommand.confirm. */
  protected readonly destructive: boolean = false;

  // Some VMs failed (exit 3): the others' new status is data, shown as the normal table with a summary.
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<ActionResult> {
    const { mcis } = await this.core();
    if (this.destructive) {
      const m = mcis.view(this.flags.ns, this.args.name);
      const vms = m.vms.filter((v) => v.status !== 'Terminated' && (!this.flags.subgroup || v.subgroup === this.flags.subgroup) && (!this.flags.vm || v.name === this.flags.vm));
      const items = vms.map((v) => `${v.name}  ${v.status}  ${v.connection}${v.providerId ? `  ${v.providerId}` : ''}`);
      const confirmed = Boolean((this.flags as { yes?: boolean }).yes);
      await this.confirm({ action: `${this.action} ${vms.length} VM(s) of MCIS ${m.name}`, items, confirmed: confirmed || vms.length === 0 });
    }
    return mcis.action({
      ns: this.flags.ns,
      name: this.args.name,
      action: this.action,
      selector: selector(this.flags),
      events: await this.progress(`${this.action} ${this.args.name}`),
    });
  }

  protected override table(r: ActionResult): string {
    const to = TRANSITIONS[this.action].to;
    const already = r.outcome.already.length ? `already ${to}: ${r.outcome.already.join(', ')}` : '';
    const skipped = r.outcome.skipped.map((s) => `skipped ${s.vm}: ${s.reason}`).join('\n');
    const failed = failureSummary(`${r.outcome.changed.length} VM(s) ${to}`, r.outcome.failed);
    return [mcisSummary(r.mcis), already, skipped, failed].filter(Boolean).join('\n');
  }
}
