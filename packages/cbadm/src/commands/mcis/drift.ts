import type { DriftResult } from '@cloud-barista/core';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { changeLines } from '../../plan-render.js';
import { help } from '../../help.js';

export default class McisDrift extends BaseCommand<typeof McisDrift> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  private drifted = false;
  private unchecked = false;

  protected async execute(): Promise<DriftResult> {
    const r = await (await this.core()).mcis.drift(this.flags.ns, this.args.name);
    this.drifted = r.changes.length > 0;
    this.unchecked = r.unreachable.length > 0;
    return r;
  }

  protected override table(r: DriftResult): string {
    const unreachable = r.unreachable.map((u) => `warning: could not ask ${u.connection}: ${u.error}\n`).join('');
    if (!r.changes.length && r.unreachable.length) return `${unreachable}MCIS ${r.ns}/${r.name}: no drift where the clouds could be asked.`;
    if (!r.changes.length) return `${unreachable}MCIS ${r.ns}/${r.name}: no drift. The clouds match the record.`;
    return `${unreachable}MCIS ${r.ns}/${r.name}: ${r.changes.length} difference(s) between the clouds and the record.\n\n${changeLines(r.changes)}`;
  }

  override async run(): Promise<void> {
    await super.run();
    if (process.exitCode) return;
    if (this.drifted) process.exitCode = ExitCode.Verdict;
    else if (this.unchecked) process.exitCode = ExitCode.Partial;
  }
}
help(McisDrift, 'mcis drift');
