import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class CredentialRemove extends BaseCommand<typeof CredentialRemove> {
  static override summary = 'Remove a stored credential and its secret file.';
  static override args = { name: Args.string({ required: true }) };

  protected async execute(): Promise<{ removed: string }> {
    (await this.core()).credentials.remove(this.args.name);
    return { removed: this.args.name };
  }

  protected override table(r: { removed: string }): string {
    return `Removed credential ${r.removed}.`;
  }
}
