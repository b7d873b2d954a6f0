import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisSuspend extends McisActionCommand {
  protected readonly action = 'suspend';
}
help(McisSuspend, 'mcis suspend');
