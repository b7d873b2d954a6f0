import { BaseCommand } from '../../base-command.js';
import { yesFlag } from '../../flags.js';
import { help } from '../../help.js';

type Result = { stopped: boolean; pid?: number };

export default class TwinDown extends BaseCommand<typeof TwinDown> {
  static override flags = { yes: yesFlag };

  protected async execute(): Promise<Result> {
    const { twinDown, twinStatus } = await import('../../twin/control.js');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    const dir = homePaths(resolveHome()).twin;
    if (!this.flags.yes) {
      // A twin that cannot say what runs (a replaced secret) must still be stoppable.
      const live = (await twinStatus(dir).catch(() => undefined))?.instances ?? {};
      const running = (live.running ?? 0) + (live.pending ?? 0);
      const items = [`${running} running VM(s): their SSH servers stop (their state is kept for the next twin up)`];
      await this.confirm({ action: 'stop Cloud-Twin', items, confirmed: running === 0 });
    }
    return twinDown(dir);
  }

  protected override table(r: Result): string {
    return r.stopped ? `Cloud-Twin stopped (pid ${r.pid}).` : 'Cloud-Twin was not running.';
  }
}
help(TwinDown, 'twin down');
