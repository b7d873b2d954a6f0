import { Flags } from '@oclif/core';
import type { NetworkResult } from '@cloud-barista/core/orchestrator/overlay-service';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { mcisSummary } from '../../../mcis-render.js';
import { help } from '../../../help.js';

export default class McisNetworkEnable extends BaseCommand<typeof McisNetworkEnable> {
  static override args = nameArgs;
  static override flags = {
    ns: nsFlag,
    cidr: Flags.string({ summary: 'The overlay network (a private /8 to /24).', default: '10.77.0.0/16' }),
    port: Flags.integer({ summary: 'UDP port WireGuard listens on.', min: 1, max: 65535 }),
    topology: Flags.string({ summary: 'mesh: every VM peers with every other; hub: one hub VM per region, spokes peer with it (default: as it is, else mesh).', options: ['mesh', 'hub'] }),
  };

  protected async execute(): Promise<NetworkResult> {
    const { mcis } = await this.core();
    const { cidr, port, topology } = this.flags;
    return mcis.network.enable({ ns: this.flags.ns, name: this.args.name, cidr, ...(port ? { port } : {}), ...(topology ? { topology } : {}), events: await this.progress(`overlay ${this.args.name}`) });
  }

  protected override table(r: NetworkResult): string {
    return mcisSummary(r.mcis);
  }
}
help(McisNetworkEnable, 'mcis network enable');
