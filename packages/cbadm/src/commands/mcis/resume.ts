import { McisActionCommand } from '../../action-command.js';

export default class McisResume extends McisActionCommand {
  static override summary = 'Resume suspended VMs.';
  static override examples = [
    '<%= config.bin %> mcis resume web',
    '<%= config.bin %> mcis resume web --subgroup seoul',
    '<%= config.bin %> mcis resume web --vm seoul-1 --json',
  ];
  protected readonly action = 'resume';
}
