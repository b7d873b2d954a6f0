import { Args, Flags } from '@oclif/core';
import { spawnSync } from 'node:child_process';
import { UsageError } from '@cloud-barista/core/errors';
import { shellQuote } from '@cloud-barista/core/ssh/openssh';
import { BaseCommand } from '../../base-command.js';
import { nsFlag } from '../../flags.js';
import { help } from '../../help.js';

type Result = { vm: string; command: string[]; line: string } | undefined;

export default class McisSsh extends BaseCommand<typeof McisSsh> {
  static override args = { name: Args.string({ required: true, description: 'MCIS name.' }), vm: Args.string({ required: true, description: 'VM name.' }) };
  static override flags = { ns: nsFlag, print: Flags.boolean({ summary: 'Print the command line instead of connecting.' }) };

  protected async execute(): Promise<Result> {
    const core = await this.core();
    const target = core.mcis.execTarget(this.flags.ns, this.args.name, this.args.vm);
    // The VM's transport says how a user gets in: `ssh …` for SSH, `docker exec -it …` for containers.
    const { argv, builtin } = await core.exec.interactive(target);
    if (this.flags.print) return { vm: this.args.vm, command: argv, line: argv.map(shellQuote).join(' ') };
    // Prefer the user's own client (agent, config, escape keys); fall back to the built-in one.
    const installed = spawnSync(argv[0]!, ['-V'], { stdio: 'ignore' }).error === undefined;
    if (installed && (process.stdin.isTTY || !builtin)) {
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    } else if (builtin) {
      process.exitCode = await builtin({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    } else {
      throw new UsageError(`'${argv[0]}' is not installed here; VM '${this.args.vm}' is entered with it`, { hint: `install it, then run: ${argv.map(shellQuote).join(' ')}` });
    }
    return undefined;
  }

  protected override table(r: Result): string {
    return r ? r.line : '';
  }
}
help(McisSsh, 'mcis ssh');
