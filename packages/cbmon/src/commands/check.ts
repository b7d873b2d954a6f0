import { Flags } from '@oclif/core';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand, durationOf } from '../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../cli/flags.js';
import type { CheckResult } from '../rules/check.js';
import { checkTable } from '../cli/check-render.js';
import { help } from '../cli/help.js';

export default class Check extends BaseCommand<typeof Check> {
  static override args = mcisArgs;
  static override flags = {
    ...vmScopeFlags,
    rule: Flags.string({ summary: "The rule, e.g. 'cpu_utilization > 80 for 2m'.", required: true }),
    since: Flags.string({ summary: 'Fire if the rule held at any time in this window (default: only now).' }),
    source: Flags.option({
      options: ['auto', 'store', 'agents'] as const,
      default: 'auto' as const,
      summary: 'Where samples come from.',
    })(),
  };

  private result: CheckResult | undefined;

  protected async execute(): Promise<CheckResult> {
    const { parseRule } = await import('../rules/rule.js');
    const rule = parseRule(this.flags.rule);
    const sinceMs = await durationOf(this.flags.since, '--since');
    const { runCheck } = await import('../rules/check.js');
    this.result = await runCheck({
      ...(await this.vmScope()),
      rule,
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      source: this.flags.source,
      signal: this.stopSignal(),
    });
    return this.result;
  }

  /** The verdict is the exit code; the data is printed either way. */
  override async run(): Promise<void> {
    await super.run();
    const r = this.result;
    if (!r) return;
    if (r.fired) {
      const where = [...new Set(r.series.filter((s) => s.fired).map((s) => s.vm))];
      this.note(`FIRED: '${r.rule}' on ${where.join(', ')}`);
      // Its own code: a CI job can tell "the rule fired" from "the check could not run" (1).
      process.exitCode = ExitCode.Verdict;
    } else if (r.unavailable.length) {
      this.note(
        `not fired, but ${r.unavailable.length} VM(s) could not be judged: ${r.unavailable.map((u) => `${u.vm} (${u.reason})`).join('; ')}`,
      );
      process.exitCode = ExitCode.Partial;
    }
  }

  protected override table(r: CheckResult): string {
    return checkTable(r);
  }
}
help(Check, 'check');
