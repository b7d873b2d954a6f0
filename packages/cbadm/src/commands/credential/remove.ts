import { BaseCommand } from '../../base-command.js';
import { nameArgs } from '../../flags.js';
import { help } from '../../help.js';

export default class CredentialRemove extends BaseCommand<typeof CredentialRemove> {
  static override args = nameArgs;

  protected async execute(): Promise<{ removed: string }> {
    (await this.core()).credentials.remove(this.args.name);
    return { removed: this.args.name };
  }

  protected override table(r: { removed: string }): string {
    return `Removed credential ${r.removed}.`;
  }
}
help(CredentialRemove, 'credential remove');
