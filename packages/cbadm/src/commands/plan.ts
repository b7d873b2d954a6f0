import { Flags } from '@oclif/core';
import type { McisPlan } from '@cloud-barista/core';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../base-command.js';
import { manifestFlags } from '../flags.js';
import { readMcisManifestFile } from '../manifest-file.js';
import { planText } from '../plan-render.js';

export default class Plan extends BaseCommand<typeof Plan> {
  static override summary = 'Show what `apply` would change: the manifest against the record and the clouds.';
  static override description = [
    'Refreshes first: every connection is asked for the recorded VMs and for instances tagged with the MCIS, so VMs terminated outside cbadm and instances no record knows show as drift. Then prints one line per change: `+` create (count raised, subgroup added), `-` destroy (count lowered, subgroup removed, unknown instance), `-/+` replace (spec, image or connection changed, VM gone or failed), `~` update in place (labels), with the reason, and the cost per hour before and after.',
    'Changes nothing. --json gives the plan as data: `changes` (each with op, target, reason, drift, before/after), `summary` (counts per op) and `costPerHour`.',
    'Exit code: 0 whether or not there are changes; with --detailed-exitcode, 6 when there are changes (not Terraform\'s 2: 2 is a usage error here).',
  ].join('\n\n');
  static override examples = ['<%= config.bin %> plan -f web.yaml', '<%= config.bin %> plan -f web.yaml --json | jq .summary', '<%= config.bin %> plan -f web.yaml --detailed-exitcode || echo "changes"'];
  static override flags = {
    ...manifestFlags,
    'detailed-exitcode': Flags.boolean({ summary: 'Exit 6 when there are changes, 0 when none.' }),
  };

  private changes = 0;

  protected async execute(): Promise<McisPlan> {
    const { manifest } = readMcisManifestFile(this.flags.file);
    const plan = await (await this.core()).mcis.planChanges({ ns: this.flags.ns ?? manifest.metadata.namespace ?? 'default', manifest });
    this.changes = plan.changes.length;
    return plan;
  }

  protected override table(p: McisPlan): string {
    return planText(p);
  }

  override async run(): Promise<void> {
    await super.run();
    if (this.flags?.['detailed-exitcode'] && this.changes > 0 && !process.exitCode) process.exitCode = ExitCode.Verdict;
  }
}
