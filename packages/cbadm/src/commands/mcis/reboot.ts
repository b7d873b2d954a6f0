import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisReboot extends McisActionCommand {
  protected readonly action = 'reboot';
}
help(McisReboot, 'mcis reboot');
