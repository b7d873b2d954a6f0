import type { StoreCheck } from '@cloud-barista/core/store/maintenance';
import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { help } from '../../help.js';

export default class StateCheck extends BaseCommand<typeof StateCheck> {
  private result: StoreCheck | undefined;

  protected async execute(): Promise<StoreCheck> {
    const { checkStore } = await import('@cloud-barista/core/store/maintenance');
    const { homePaths, resolveHome } = await import('@cloud-barista/core/home');
    this.result = checkStore(homePaths(resolveHome()).db);
    return this.result;
  }

  override async run(): Promise<void> {
    await super.run();
    if (this.result && !this.result.ok) process.exitCode = ExitCode.Error;
  }

  protected override table(r: StoreCheck): string {
    const lines = [r.ok ? `${r.file}: ok` : `${r.file}: DAMAGED`, ...r.problems.map((p) => `  - ${p}`)];
    if (r.backup) lines.push(`backup ${r.backup.file} (taken ${r.backup.takenAt}): ${r.backup.ok ? 'ok' : 'damaged'}`);
    else lines.push('no backup yet');
    if (!r.ok) lines.push(r.backup?.ok ? 'restore it with: cbadm state restore   (or rebuild from the clouds: cbadm state recover)' : 'rebuild it from the clouds: cbadm state recover');
    return lines.join('\n');
  }
}
help(StateCheck, 'state check');
