import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print the shell completion script for bash, zsh or fish (commands, flags, and MCIS, connection and VM names).';
  static override description =
    'Completes commands, flags and their fixed values, files for -f/--key, and the names in your store: MCIS, connections, credentials, VMs of an MCIS, clusters (asked of `cbadm __complete` as you press TAB). `cbadm autocomplete` (oclif) sets up static bash/zsh completion instead.';
  static override examples = [
    'source <(<%= config.bin %> completion bash)          # bash: add to ~/.bashrc',
    'source <(<%= config.bin %> completion zsh)           # zsh: add to ~/.zshrc',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ];
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
