import { Flags } from '@oclif/core';
import type { ApplyResult, McisPlan } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../base-command.js';
import { manifestFlags } from '../flags.js';
import { readMcisManifestFile } from '../manifest-file.js';
import { mcisSummary } from '../mcis-render.js';
import { planText } from '../plan-render.js';
import { help } from '../help.js';

export default class Apply extends BaseCommand<typeof Apply> {
  static override flags = {
    ...manifestFlags,
    'auto-approve': Flags.boolean({ summary: 'Apply without asking (required off a terminal).', env: 'CB_AUTO_APPROVE' }),
  };

  protected async execute(): Promise<ApplyResult> {
    const { manifest } = readMcisManifestFile(this.flags.file);
    const { mcis } = await this.core();
    const name = manifest.metadata.name;
    const autoApprove = this.flags['auto-approve'];
    if (!autoApprove && !this.canAsk) {
      throw new UsageError('apply changes infrastructure, and cbadm asks only on a terminal (without --json)', {
        hint: `review it with \`cbadm plan -f ${this.flags.file}\`, then add --auto-approve`,
      });
    }
    const approve = async (plan: McisPlan): Promise<void> => {
      const { stderrChalk } = await import('@cloud-barista/cli-kit/colour');
      process.stderr.write(`${planText(plan, stderrChalk())}\n\n`);
      if (!autoApprove) await this.confirm({ action: `apply these changes to MCIS ${name}`, items: [], confirmed: false });
    };
    return mcis.apply({ ns: this.flags.ns ?? manifest.metadata.namespace ?? 'default', manifest, approve, events: await this.progress(`apply ${name}`) });
  }

  protected override table(r: ApplyResult): string {
    if (!r.plan.changes.length) return planText(r.plan);
    const done = `Applied: ${r.created.length} created, ${r.replaced.length} replaced, ${r.destroyed.length} destroyed.\n`;
    return `${done}${mcisSummary(r.mcis)}`;
  }
}
help(Apply, 'apply');
