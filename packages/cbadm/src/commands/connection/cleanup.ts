import { Args, Flags } from '@oclif/core';
import type { CleanupReport } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

export default class ConnectionCleanup extends BaseCommand<typeof ConnectionCleanup> {
  static override args = { name: Args.string({ required: true, description: 'Connection name.' }) };
  static override flags = { 'dry-run': Flags.boolean({ summary: 'List what would be removed; change nothing.' }) };
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<CleanupReport> {
    const { mcis } = await this.core();
    return mcis.cleanupConnection({ connection: this.args.name, dryRun: this.flags['dry-run'], events: await this.progress(`cleanup ${this.args.name}`) });
  }

  protected override table(r: CleanupReport): string {
    const done = new Set(r.removed.map((o) => `${o.kind}/${o.id}`));
    const errors = new Map(r.failed.map((f) => [`${f.kind}/${f.id}`, f.error]));
    const rows = r.found.map((o) => {
      const key = `${o.kind}/${o.id}`;
      return [o.kind, o.id, o.mcis && o.vm ? `${o.mcis}/${o.vm}` : null, r.dryRun ? 'would remove' : done.has(key) ? 'removed' : `failed: ${errors.get(key) ?? '?'}`];
    });
    const inUse = r.inUseBy.length ? `\nDefault network kept: in use by ${r.inUseBy.join(', ')}.` : '';
    return `${rows.length ? makeTable(['KIND', 'ID', 'TAGGED FOR', 'RESULT'], rows) : `Nothing left over on ${r.connection}.`}${inUse}`;
  }
}
help(ConnectionCleanup, 'connection cleanup');
