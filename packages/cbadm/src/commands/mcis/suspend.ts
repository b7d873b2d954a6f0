import { actionExamples, McisActionCommand } from '../../action-command.js';

export default class McisSuspend extends McisActionCommand {
  static override summary = 'Suspend running VMs (stop them; disks are kept).';
  static override examples = actionExamples('suspend');
  protected readonly action = 'suspend';
}
