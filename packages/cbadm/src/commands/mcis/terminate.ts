import { McisActionCommand } from '../../action-command.js';
import { yesFlag } from '../../flags.js';
import { help } from '../../help.js';

export default class McisTerminate extends McisActionCommand {
  static override flags = { ...McisActionCommand.flags, yes: yesFlag };
  protected override readonly destructive = true;
  protected readonly action = 'terminate';
}
help(McisTerminate, 'mcis terminate');
