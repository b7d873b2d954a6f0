import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisSuspend extends McisActionCommand {
  static {
    help(this, 'mcis suspend');
  }
  protected readonly action = 'suspend';
}
