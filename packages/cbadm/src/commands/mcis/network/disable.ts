import type { NetworkResult } from '@cloud-barista/core/orchestrator/overlay-service';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { mcisSummary } from '../../../mcis-render.js';

export default class McisNetworkDisable extends BaseCommand<typeof McisNetworkDisable> {
  static override summary = 'Take the overlay down: tunnels, keys and /etc/hosts entries removed from every VM, its UDP rule from the firewall.';
  static override examples = ['<%= config.bin %> mcis network disable web'];
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<NetworkResult> {
    const { mcis } = await this.core();
    return mcis.network.disable({ ns: this.flags.ns, name: this.args.name, events: await this.progress(`overlay ${this.args.name}`) });
  }

  protected override table(r: NetworkResult): string {
    return mcisSummary(r.mcis);
  }
}
