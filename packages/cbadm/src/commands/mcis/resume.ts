import { McisActionCommand } from '../../action-command.js';
import { help } from '../../help.js';

export default class McisResume extends McisActionCommand {
  protected readonly action = 'resume';
}
help(McisResume, 'mcis resume');
