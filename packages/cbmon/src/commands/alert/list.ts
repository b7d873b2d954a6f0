import type { AlertView } from '../../alerts/alerts.js';
import { BaseCommand } from '../../cli/base-command.js';
import { makeTable } from '../../cli/render.js';
import { help } from '../../cli/help.js';

export default class AlertList extends BaseCommand<typeof AlertList> {
  protected async execute(): Promise<AlertView[]> {
    const { listAlerts } = await import('../../alerts/alerts.js');
    const { store } = await this.mon();
    return listAlerts(store);
  }

  protected override table(list: AlertView[]): string {
    if (list.length === 0)
      return "No alerts. Add one: cbmon alert add cpu-hot --rule 'cpu_utilization > 80 for 2m'";
    return makeTable(
      ['NAME', 'RULE', 'SCOPE', 'ACTION', 'FIRING'],
      list.map((a) => [
        a.name,
        a.rule,
        a.mcis ? `${a.ns}/${a.mcis}` : `${a.ns}/*`,
        a.action.type === 'exec'
          ? `exec: ${a.action.command}`
          : a.action.type === 'webhook'
            ? `webhook: ${a.action.url}`
            : 'log',
        a.firing.length ? a.firing.map((f) => f.series).join(', ') : '-',
      ]),
    );
  }
}
help(AlertList, 'alert list');
