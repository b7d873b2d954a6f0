import { McisActionCommand } from '../../action-command.js';
import { yesFlag } from '../../flags.js';

export default class McisTerminate extends McisActionCommand {
  static override summary = 'Terminate VMs (the record stays until `cbadm mcis delete`).';
  static override examples = [
    '<%= config.bin %> mcis terminate web',
    '<%= config.bin %> mcis terminate web --subgroup seoul',
    '<%= config.bin %> mcis terminate web --vm seoul-1 --json --yes',
  ];
  static override flags = { ...McisActionCommand.flags, yes: yesFlag };
  protected override readonly destructive = true;
  protected readonly action = 'terminate';
}
