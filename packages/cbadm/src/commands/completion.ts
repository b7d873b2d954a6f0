import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { help } from '../help.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export default class Completion extends BaseCommand<typeof Completion> {
  static override args = { shell: Args.string({ required: true, options: [...SHELLS], description: 'bash, zsh or fish.' }) };

  protected async execute(): Promise<undefined> {
    const { completionModel } = await import('../completion/model.js');
    const model = completionModel(this.config);
    const shell = this.args.shell as (typeof SHELLS)[number];
    if (shell === 'fish') {
      const { fishScript } = await import('../completion/fish.js');
      process.stdout.write(fishScript(model));
    } else {
      const { bashScript, zshScript } = await import('../completion/bash.js');
      process.stdout.write(shell === 'zsh' ? zshScript(model) : bashScript(model));
    }
    return undefined;
  }
}
help(Completion, 'completion');
