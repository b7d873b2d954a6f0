import { Flags } from '@oclif/core';
import type { RestoreResult } from '@cloud-barista/core/store/maintenance';
import { BaseCommand } from '../../base-command.js';
import { help } from '../../help.js';

export default class StateRestore extends BaseCommand<typeof StateRestore> {
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
help(StateRestore, 'state restore');
