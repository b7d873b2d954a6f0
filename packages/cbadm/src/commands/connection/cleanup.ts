import { Args, Flags } from '@oclif/core';
import type { CleanupReport } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';

export default class ConnectionCleanup extends BaseCommand<typeof ConnectionCleanup> {
  static override summary = 'Find and remove cbadm-made cloud objects on a connection that no record accounts for.';
  static override description =
    'Asks the cloud for everything tagged cb-managed=true on this connection: VMs no MCIS records (a delete that failed or was killed), and the default network and key pair when no MCIS uses the connection. Removes them; --dry-run only lists them. Exits 3 when some could not be removed (re-run to retry).';
  static override examples = ['<%= config.bin %> connection cleanup aws-seoul --dry-run', '<%= config.bin %> connection cleanup aws-seoul --json'];
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
