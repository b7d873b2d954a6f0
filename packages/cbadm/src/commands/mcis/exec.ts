import { Flags } from '@oclif/core';
import { DEFAULT_EXEC_MAX_OUTPUT_BYTES, type ExecVmResult } from '@cloud-barista/core';
import { ExitCode, UsageError } from '@cloud-barista/core/errors';
import { parseByteSize } from '@cloud-barista/core/util/byte-size';
import { BaseCommand } from '../../base-command.js';
import { LineWriter } from '../../line-writer.js';
import { nameArgs, nsFlag, subgroupFlag, vmFlag } from '../../flags.js';
import { help } from '../../help.js';

// A result is one JSON document in memory: past this, write the output to a file on the VM instead.
const MAX_OUTPUT_LIMIT = 256 * 1024 * 1024;

export default class McisExec extends BaseCommand<typeof McisExec> {
  static override strict = false;
  static override args = nameArgs;
  static override flags = {
    ns: nsFlag,
    subgroup: subgroupFlag,
    vm: vmFlag,
    timeout: Flags.integer({ summary: 'Per-VM timeout in seconds.', default: 600 }),
    'max-output': Flags.custom<number>({
      summary: 'With --json or -o yaml, keep at most this much of each VM\'s stdout and of its stderr (the last part), e.g. 64KiB, 1MiB, 0.',
      env: 'CB_EXEC_MAX_OUTPUT',
      default: DEFAULT_EXEC_MAX_OUTPUT_BYTES,
      defaultHelp: async () => '1MiB',
      parse: async (text) => {
        const n = parseByteSize(text);
        if (n === undefined || n > MAX_OUTPUT_LIMIT) {
          throw new UsageError(`--max-output (CB_EXEC_MAX_OUTPUT) must be a size from 0 to 256MiB, e.g. 64KiB or 1MiB; got '${text}'`, {
            hint: 'for more, redirect the output to a file on the VMs and copy it',
          });
        }
        return n;
      },
    })(),
  };

  private results: ExecVmResult[] = [];

  protected async execute(): Promise<ExecVmResult[] | undefined> {
    const dash = this.argv.indexOf('--');
    const command = (dash >= 0 ? this.argv.slice(dash + 1) : this.argv.slice(1)).join(' ');
    if (!command.trim()) throw new UsageError('no command given', { hint: 'put it after --, e.g. cbadm mcis exec web -- uptime' });
    const writer = this.format === 'table' ? new LineWriter() : undefined;
    this.results = await (await this.core()).mcis.exec({
      ns: this.flags.ns,
      name: this.args.name,
      command,
      timeoutMs: this.flags.timeout * 1000,
      selector: { ...(this.flags.subgroup ? { subgroup: this.flags.subgroup } : {}), ...(this.flags.vm ? { vm: this.flags.vm } : {}) },
      ...(writer ? { maxOutputBytes: 0, onLine: writer.line } : { maxOutputBytes: this.flags['max-output'] }),
    });
    if (!writer) return this.results;
    writer.flush();
    process.stderr.write(this.results.map(summaryLine).join(''));
    return undefined;
  }

  /** Every VM's output is printed first; the exit code then says whether all of them succeeded. */
  override async run(): Promise<void> {
    await super.run();
    const bad = this.results.filter((r) => r.exitCode !== 0);
    if (!bad.length) return;
    process.stderr.write(`Error: the command failed on ${bad.length} of ${this.results.length} VM(s): ${bad.map((b) => b.vm).join(', ')}\n`);
    process.exitCode = bad.length === this.results.length ? ExitCode.Error : ExitCode.Partial;
  }
}
help(McisExec, 'mcis exec');

function summaryLine(r: ExecVmResult): string {
  const status = `exit ${r.exitCode ?? r.signal ?? 'n/a'}${r.error ? `: ${r.error}` : ''}`;
  return `── ${r.vm} (${status}, ${r.durationMs} ms, stdout ${r.stdoutBytes} B, stderr ${r.stderrBytes} B)\n`;
}
