import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisReboot extends McisActionCommand {
  static {
    help(this, 'mcis reboot');
  }
  protected readonly action = 'reboot';
}
