import { McisActionCommand } from '../../action-command.js';

export default class McisReboot extends McisActionCommand {
  static override summary = 'Reboot running VMs.';
  static override examples = [
    '<%= config.bin %> mcis reboot web',
    '<%= config.bin %> mcis reboot web --subgroup seoul',
    '<%= config.bin %> mcis reboot web --vm seoul-1 --json',
  ];
  protected readonly action = 'reboot';
}
