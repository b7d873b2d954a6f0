import { actionExamples, McisActionCommand } from '../../action-command.js';

export default class McisResume extends McisActionCommand {
  static override summary = 'Resume suspended VMs.';
  static override examples = actionExamples('resume');
  protected readonly action = 'resume';
}
