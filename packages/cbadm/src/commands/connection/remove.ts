import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { yesFlag } from '../../flags.js';

export default class ConnectionRemove extends BaseCommand<typeof ConnectionRemove> {
  static override summary = 'Remove a connection (refused while an MCIS uses it).';
  static override args = { name: Args.string({ required: true }) };
  static override flags = { yes: yesFlag };

  protected async execute(): Promise<{ removed: string }> {
    const { connections } = await this.core();
    const c = connections.get(this.args.name);
    await this.confirm({ action: `remove connection ${c.name}`, items: [`connection ${c.name} (${c.provider}, ${c.region})`], confirmed: this.flags.yes });
    connections.remove(this.args.name);
    return { removed: this.args.name };
  }

  protected override table(r: { removed: string }): string {
    return `Removed connection ${r.removed}.`;
  }
}
