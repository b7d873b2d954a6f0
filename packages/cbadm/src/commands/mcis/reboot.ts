import { actionExamples, McisActionCommand } from '../../action-command.js';

export default class McisReboot extends McisActionCommand {
  static override summary = 'Reboot running VMs.';
  static override examples = actionExamples('reboot');
  protected readonly action = 'reboot';
}
