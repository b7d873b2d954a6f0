import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

type IamState = { deny: string[] };

export default class TwinIam extends BaseCommand<typeof TwinIam> {
  static override summary = 'Show or change which permissions a running Cloud-Twin denies.';
  static override description =
    "PERMISSION is each cloud's own name, `*` as a wildcard: ec2:RunInstances, compute.instances.create, Microsoft.Compute/virtualMachines/write, ec2:Create*, OpenStack policy rules (os_compute_api:servers:create, create_floatingip), Keystone project roles (role:member: tokens issued while it is denied lack it), ECS actions (ecs:RunInstances) and Cloudit call names (cloudit:servers.create, cloudit:adaptiveIps.*). A denied call fails with the cloud's own authorization error (UnauthorizedOperation, 403 Required 'compute.…' permission, AuthorizationFailed, Nova/Neutron 403 policy, Cloudit 403 PERMISSION_DENIED), and `cbadm connection test` reports it as missing. Given permissions replace the current list.";
  static override examples = [
    '<%= config.bin %> twin iam',
    '<%= config.bin %> twin iam ec2:RunInstances compute.instances.create',
    '<%= config.bin %> twin iam --clear',
  ];
  static override strict = false;
  static override args = { permission: Args.string({ description: 'Permission(s) to deny.' }) };
  static override flags = {
    clear: Flags.boolean({ summary: 'Deny nothing again.' }),
  };

  protected async execute(): Promise<IamState> {
    const [{ twinAdmin }, { UsageError }] = await Promise.all([import('../../twin/control.js'), import('@cloud-barista/core/errors')]);
    const permissions = this.argv.filter((a) => !a.startsWith('-'));
    if (this.flags.clear && permissions.length) throw new UsageError('give permissions to deny or --clear, not both', { hint: 'cbadm twin iam --clear' });
    const change = this.flags.clear || permissions.length > 0;
    return twinAdmin<IamState>(change ? 'PUT' : 'GET', '/iam', change ? { deny: this.flags.clear ? [] : permissions } : undefined, 'see `cbadm twin iam --help`');
  }

  protected override table(s: IamState): string {
    return s.deny.length ? `Denied: ${s.deny.join(', ')}` : 'Nothing denied.';
  }
}
