import { Flags } from '@oclif/core';
import type { McisPlan } from '@cloud-barista/core';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../base-command.js';
import { manifestFlags } from '../flags.js';
import { readMcisManifestFile } from '../manifest-file.js';
import { planText } from '../plan-render.js';
import { help } from '../help.js';

export default class Plan extends BaseCommand<typeof Plan> {
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
help(Plan, 'plan');
