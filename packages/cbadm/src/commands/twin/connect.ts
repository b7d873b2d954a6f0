import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import type { TwinConnectResult } from '../../twin-control.js';

export default class TwinConnect extends BaseCommand<typeof TwinConnect> {
  static override summary = 'Register one connection per Cloud-Twin region (twin-aws-<region>).';
  static override examples = ['<%= config.bin %> twin connect', '<%= config.bin %> twin connect --json | jq -r .connections[].name'];

  protected async execute(): Promise<TwinConnectResult> {
    const { twinConnect } = await import('../../twin-control.js');
    const { driverRegistry } = await import('@cloud-barista/drivers');
    const core = await this.core();
    return twinConnect(core, driverRegistry, core.home.twin);
  }

  protected override table(r: TwinConnectResult): string {
    return makeTable(['CONNECTION', 'REGION', 'ZONE', 'ENDPOINT'], r.connections.map((c) => [c.name, c.region, c.zone, c.endpoint]));
  }
}
