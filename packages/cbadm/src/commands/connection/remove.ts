import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class ConnectionRemove extends BaseCommand<typeof ConnectionRemove> {
  static override summary = 'Remove a connection (refused while an MCIS uses it).';
  static override args = { name: Args.string({ required: true }) };

  protected async execute(): Promise<{ removed: string }> {
    (await this.core()).connections.remove(this.args.name);
    return { removed: this.args.name };
  }

  protected override table(r: { removed: string }): string {
    return `Removed connection ${r.removed}.`;
  }
}
