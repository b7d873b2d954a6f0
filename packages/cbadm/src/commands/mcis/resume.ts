import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisResume extends McisActionCommand {
  static {
    help(this, 'mcis resume');
  }
  protected readonly action = 'resume';
}
