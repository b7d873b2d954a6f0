import { Args, Flags } from '@oclif/core';
import { spawnSync } from 'node:child_process';
import { opensshArgs, shellQuote } from '@cloud-barista/core/ssh/openssh';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { nsFlag } from '../../flags.js';

type Result = { vm: string; command: string[]; line: string } | undefined;

export default class McisSsh extends BaseCommand<typeof McisSsh> {
  static override summary = 'Open an interactive shell on a VM; --print prints a working OpenSSH (or, for a container, docker exec) command line.';
  static override examples = ['<%= config.bin %> mcis ssh web seoul-1', '$(<%= config.bin %> mcis ssh web seoul-1 --print) uptime'];
  static override args = { name: Args.string({ required: true, description: 'MCIS name.' }), vm: Args.string({ required: true, description: 'VM name.' }) };
  static override flags = { ns: nsFlag, print: Flags.boolean({ summary: 'Print the OpenSSH command line instead of connecting.' }) };

  protected async execute(): Promise<Result> {
    const core = await this.core();
    // A container (Docker) is entered with its driver's own line: `docker exec -it …`.
    const own = await core.mcis.ownShell(this.flags.ns, this.args.name, this.args.vm);
    if (own) {
      if (this.flags.print) return { vm: this.args.vm, command: own.argv, line: own.argv.map(shellQuote).join(' ') };
      const r = spawnSync(own.argv[0]!, own.argv.slice(1), { stdio: 'inherit' });
      if (r.error) throw new UsageError(`cannot run ${own.argv[0]}: ${r.error.message}`, { hint: `install the docker CLI, or run: ${own.argv.map(shellQuote).join(' ')}` });
      process.exitCode = r.status ?? 1;
      return undefined;
    }
    const target = core.mcis.sshTarget(this.flags.ns, this.args.name, this.args.vm);
    const argv = opensshArgs(target, core.home.knownHosts);
    if (this.flags.print) return { vm: this.args.vm, command: argv, line: argv.map(shellQuote).join(' ') };
    // Prefer the user's OpenSSH (agent, config, escape keys); fall back to the built-in client.
    const probe = spawnSync('ssh', ['-V'], { stdio: 'ignore' });
    if (probe.error === undefined && process.stdin.isTTY) {
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    } else {
      process.exitCode = await core.ssh.shell(target, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    }
    return undefined;
  }

  protected override table(r: Result): string {
    return r ? r.line : '';
  }
}
