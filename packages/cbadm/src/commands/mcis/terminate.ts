import { actionExamples, McisActionCommand } from '../../action-command.js';
import { yesFlag } from '../../flags.js';

export default class McisTerminate extends McisActionCommand {
  static override summary = 'Terminate VMs (the record stays until `cbadm mcis delete`).';
  static override examples = actionExamples('terminate', ' --yes');
  static override flags = { ...McisActionCommand.flags, yes: yesFlag };
  protected override readonly destructive = true;
  protected readonly action = 'terminate';
}
