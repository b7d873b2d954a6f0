import { Args, Flags } from '@oclif/core';
import type { ExecVmResult } from '@cloud-barista/core';
import { ExitCode, UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { nsFlag, subgroupFlag, vmFlag } from '../../flags.js';

export default class McisExec extends BaseCommand<typeof McisExec> {
  static override summary = 'Run a command on the VMs in parallel over SSH; per-VM exit code, stdout, stderr.';
  static override description = 'Exit code: 0 when every VM succeeded, 3 when some failed, 1 when all failed.';
  static override examples = [
    "<%= config.bin %> mcis exec web -- uname -a",
    "<%= config.bin %> mcis exec web --subgroup seoul --json -- 'df -h / | tail -1'",
  ];
  static override strict = false;
  static override args = { name: Args.string({ required: true }) };
  static override flags = {
    ns: nsFlag,
    subgroup: subgroupFlag,
    vm: vmFlag,
    timeout: Flags.integer({ summary: 'Per-VM timeout in seconds.', default: 600 }),
  };

  protected async execute(): Promise<ExecVmResult[]> {
    const dash = this.argv.indexOf('--');
    const command = (dash >= 0 ? this.argv.slice(dash + 1) : this.argv.slice(1)).join(' ');
    if (!command.trim()) throw new UsageError('no command given', { hint: 'put it after --, e.g. cbadm mcis exec web -- uptime' });
    const results = await (await this.core()).mcis.exec({
      ns: this.flags.ns,
      name: this.args.name,
      command,
      timeoutMs: this.flags.timeout * 1000,
      selector: { ...(this.flags.subgroup ? { subgroup: this.flags.subgroup } : {}), ...(this.flags.vm ? { vm: this.flags.vm } : {}) },
    });
    this.results = results;
    return results;
  }

  private results: ExecVmResult[] = [];

  /** Every VM's output is printed first; the exit code then says whether all of them succeeded. */
  override async run(): Promise<void> {
    await super.run();
    const bad = this.results.filter((r) => r.exitCode !== 0);
    if (!bad.length) return;
    process.stderr.write(`Error: the command failed on ${bad.length} of ${this.results.length} VM(s): ${bad.map((b) => b.vm).join(', ')}\n`);
    process.exitCode = bad.length === this.results.length ? ExitCode.Error : ExitCode.Partial;
  }

  protected override table(results: ExecVmResult[]): string {
    return results.map(formatExec).join('');
  }
}

function formatExec(r: ExecVmResult): string {
  const head = `── ${r.vm} (exit ${r.exitCode ?? r.signal ?? 'n/a'}${r.error ? `: ${r.error}` : ''}, ${r.durationMs} ms)`;
  const body = [r.stdout.trimEnd(), r.stderr ? r.stderr.trimEnd().split('\n').map((l) => `stderr: ${l}`).join('\n') : ''].filter(Boolean).join('\n');
  return `${head}\n${body ? `${body}\n` : ''}`;
}
