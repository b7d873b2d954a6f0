import { Args } from '@oclif/core';
import type { DriftResult } from '@cloud-barista/core';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { nsFlag } from '../../flags.js';
import { changeLines } from '../../plan-render.js';

export default class McisDrift extends BaseCommand<typeof McisDrift> {
  static override summary = 'Check the clouds against the record: VMs gone, stopped or started outside cbadm, unknown instances.';
  static override description =
    'Asks every connection of the MCIS and changes nothing. Exit code 0 when the clouds agree with the record, 6 when they do not (for CI); `cbadm apply` with the manifest repairs what it can (replaces gone VMs, terminates unknown instances).';
  static override examples = ['<%= config.bin %> mcis drift web', '<%= config.bin %> mcis drift web --json | jq .changes'];
  static override args = { name: Args.string({ required: true }) };
  static override flags = { ns: nsFlag };

  private drifted = false;

  protected async execute(): Promise<DriftResult> {
    const r = await (await this.core()).mcis.drift(this.flags.ns, this.args.name);
    this.drifted = r.changes.length > 0;
    return r;
  }

  protected override table(r: DriftResult): string {
    const unreachable = r.unreachable.map((c) => `warning: could not ask ${c}\n`).join('');
    if (!r.changes.length) return `${unreachable}MCIS ${r.ns}/${r.name}: no drift. The clouds match the record.`;
    return `${unreachable}MCIS ${r.ns}/${r.name}: ${r.changes.length} difference(s) between the clouds and the record.\n\n${changeLines(r.changes)}`;
  }

  override async run(): Promise<void> {
    await super.run();
    if (this.drifted && !process.exitCode) process.exitCode = ExitCode.Verdict;
  }
}
