import type { NetworkResult } from '@cloud-barista/core/orchestrator/overlay-service';
import { BaseCommand } from '../../../base-command.js';
import { nameArgs, nsFlag } from '../../../flags.js';
import { mcisSummary } from '../../../mcis-render.js';
import { help } from '../../../help.js';

export default class McisNetworkDisable extends BaseCommand<typeof McisNetworkDisable> {
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
help(McisNetworkDisable, 'mcis network disable');
