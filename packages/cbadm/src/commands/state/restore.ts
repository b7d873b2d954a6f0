import { Flags } from '@oclif/core';
import type { RestoreResult } from '@cloud-barista/core/store/maintenance';
import { BaseCommand } from '../../base-command.js';

export default class StateRestore extends BaseCommand<typeof StateRestore> {
  static override summary = 'Put the automatic backup (state.db.bak) in place of the state store.';
  static override description =
    'The backup is taken before every schema migration and at most once a day. It is checked before use; the store it replaces is kept aside as state.db.damaged-<time>, never deleted. Records changed since the backup was taken are not in it: `cbadm state recover` rebuilds from the clouds instead.';
  static override examples = ['<%= config.bin %> state restore', '<%= config.bin %> state restore --from ./state.db.copy'];
  static override flags = { from: Flags.string({ summary: 'Backup file to restore (default: state.db.bak beside the store).' }) };

  protected async execute(): Promise<RestoreResult> {
    const { restoreStore } = await import('@cloud-barista/core/store/maintenance');
    const { homePaths, resolveHome } = await import('@cloud-barista/core/home');
    return restoreStore(homePaths(resolveHome()).db, this.flags.from);
  }

  protected override table(r: RestoreResult): string {
    return `Restored ${r.file} from ${r.from} (taken ${r.backupTakenAt}).${r.keptAs ? `\nThe replaced store is kept as ${r.keptAs}.` : ''}`;
  }
}
