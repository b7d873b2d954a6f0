import { BaseCommand } from '../../base-command.js';

type Result = { stopped: boolean; pid?: number };

export default class TwinDown extends BaseCommand<typeof TwinDown> {
  static override summary = "Stop Cloud-Twin and every VM's SSH server (its state is kept for the next `twin up`).";

  protected async execute(): Promise<Result> {
    const { twinDown } = await import('../../twin/control.js');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    return twinDown(homePaths(resolveHome()).twin);
  }

  protected override table(r: Result): string {
    return r.stopped ? `Cloud-Twin stopped (pid ${r.pid}).` : 'Cloud-Twin was not running.';
  }
}
