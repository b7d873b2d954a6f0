import { BaseCommand } from '../../cli/base-command.js';
import { help } from '../../cli/help.js';

type Result = { stopped: boolean; pid?: number };

export default class CollectorStop extends BaseCommand<typeof CollectorStop> {
  protected async execute(): Promise<Result> {
    const { stopCollector } = await import('../../collector/daemon.js');
    const { resolveHome } = await import('@cloud-barista/core/home');
    return stopCollector(resolveHome());
  }

  protected override table(r: Result): string {
    return r.stopped ? `Collector stopped (pid ${r.pid}).` : 'No collector was running.';
  }
}
help(CollectorStop, 'collector stop');
