import { Flags } from '@oclif/core';
import type { ApplyResult, McisPlan } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../base-command.js';
import { manifestFlags } from '../flags.js';
import { readMcisManifestFile } from '../manifest-file.js';
import { mcisSummary } from '../mcis-render.js';
import { planText } from '../plan-render.js';

export default class Apply extends BaseCommand<typeof Apply> {
  static override summary = 'Make the MCIS what the manifest says: create it, or scale, replace and clean up what differs.';
  static override description = [
    'Plans first (see `cbadm plan`), shows the plan and, on a terminal, asks before changing anything; off a terminal (scripts, CI) it needs --auto-approve. A new name is created as `mcis create` would.',
    'Then: VMs leaving (count lowered, subgroup removed) run the manifest\'s `spec.policy.drain` command, if any, and are terminated (highest indexes first); instances tagged with the MCIS that no record knows are terminated; new VMs get the next indexes; VMs whose spec, image or connection changed are replaced `spec.policy.maxUnavailable` (default 1) per subgroup at a time, each round waiting for SSH before the next.',
    'Every step is recorded before its cloud call: an apply killed at any point and run again continues without duplicates. Exit code 3 when some VMs failed (the rest of a rolling replacement is left as it was).',
  ].join('\n\n');
  static override examples = ['<%= config.bin %> apply -f web.yaml', '<%= config.bin %> apply -f web.yaml --auto-approve --json'];
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
