import { Args, Flags } from '@oclif/core';
import type { CopyVmResult } from '@cloud-barista/core';
import { ExitCode, UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { nsFlag, subgroupFlag, vmFlag } from '../../flags.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

/** `MCIS:PATH`: the remote side of a copy (an MCIS name is lower-case letters, digits and dashes). */
const REMOTE = /^([a-z0-9][a-z0-9-]*):(.+)$/;

export default class McisCp extends BaseCommand<typeof McisCp> {
  static override args = {
    source: Args.string({ required: true, description: 'LOCAL path or NAME:PATH' }),
    dest: Args.string({ required: true, description: 'NAME:PATH or LOCAL path' }),
  };
  static override flags = {
    ns: nsFlag,
    subgroup: subgroupFlag,
    vm: vmFlag,
    checksum: Flags.boolean({ summary: 'Skip a file only when its content (SHA-256) matches, not its size and mtime.' }),
  };

  private results: CopyVmResult[] = [];

  protected async execute(): Promise<CopyVmResult[]> {
    const src = REMOTE.exec(this.args.source);
    const dst = REMOTE.exec(this.args.dest);
    if (!!src === !!dst) {
      throw new UsageError(`exactly one of SOURCE and DEST must be NAME:PATH on the MCIS; got '${this.args.source}' and '${this.args.dest}'`, {
        hint: 'upload: cbadm mcis cp ./dist web:/srv/app · download: cbadm mcis cp web:/var/log/syslog ./logs/ (write a local path with a colon as ./a:b)',
      });
    }
    const [name, remote, local] = src ? [src[1]!, src[2]!, this.args.dest] : [dst![1]!, dst![2]!, this.args.source];
    this.results = await (await this.core()).mcis.copy({
      ns: this.flags.ns,
      name,
      direction: src ? 'download' : 'upload',
      local,
      remote,
      selector: { ...(this.flags.subgroup ? { subgroup: this.flags.subgroup } : {}), ...(this.flags.vm ? { vm: this.flags.vm } : {}) },
      ...(this.flags.checksum ? { checksum: true } : {}),
      events: await this.progress(`copy ${src ? 'from' : 'to'} ${name}`),
    });
    return this.results;
  }

  protected override table(rows: CopyVmResult[]): string {
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    return makeTable(
      ['VM', 'FILES', 'COPIED', 'SKIPPED', 'SENT', 'TIME', 'DEST', 'ERROR'],
      rows.map((r) => [r.vm, r.files, r.copied, r.skipped, mb(r.bytes), `${(r.durationMs / 1000).toFixed(1)} s`, r.dest, r.error]),
    );
  }

  /** Every VM's result is printed first; the exit code then says whether all of them succeeded. */
  override async run(): Promise<void> {
    await super.run();
    const bad = this.results.filter((r) => r.error);
    if (!bad.length) return;
    process.stderr.write(`Error: the copy failed on ${bad.length} of ${this.results.length} VM(s): ${bad.map((b) => `${b.vm} (${b.error})`).join(', ')}\n`);
    process.exitCode = bad.length === this.results.length ? ExitCode.Error : ExitCode.Partial;
  }
}
help(McisCp, 'mcis cp');
