import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { help } from '../../cli/help.js';

export default class AlertRemove extends BaseCommand<typeof AlertRemove> {
  static override args = { name: Args.string({ required: true, description: 'Alert name' }) };

  protected async execute(): Promise<{ removed: string }> {
    const { removeAlert } = await import('../../alerts/alerts.js');
    const { store } = await this.mon();
    return removeAlert(store, this.args.name);
  }

  protected override table(r: { removed: string }): string {
    return `Alert '${r.removed}' removed.`;
  }
}
help(AlertRemove, 'alert remove');
