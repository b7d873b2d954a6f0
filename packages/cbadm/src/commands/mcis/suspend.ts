import { McisActionCommand } from '../../action-command.js';

export default class McisSuspend extends McisActionCommand {
  static override summary = 'Suspend running VMs (stop them; disks are kept).';
  static override examples = [
    '<%= config.bin %> mcis suspend web',
    '<%= config.bin %> mcis suspend web --subgroup seoul',
    '<%= config.bin %> mcis suspend web --vm seoul-1 --json',
  ];
  protected readonly action = 'suspend';
}
