import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import type { TwinConnectResult } from '../../twin/connect.js';
import { help } from '../../help.js';

export default class TwinConnect extends BaseCommand<typeof TwinConnect> {
  protected async execute(): Promise<TwinConnectResult> {
    const { twinConnect } = await import('../../twin/connect.js');
    const { driverRegistry } = await import('@cloud-barista/drivers');
    const core = await this.core();
    return twinConnect(core, driverRegistry, core.home.twin);
  }

  protected override table(r: TwinConnectResult): string {
    const table = makeTable(['CONNECTION', 'PROVIDER', 'REGION', 'ZONE', 'ENDPOINT'], r.connections.map((c) => [c.name, c.provider, c.region, c.zone, c.endpoint]));
    return r.cloudsYaml ? `${table}\nOpenStack client: OS_CLIENT_CONFIG_FILE=${r.cloudsYaml} openstack --os-cloud cb-twin server list` : table;
  }
}
help(TwinConnect, 'twin connect');
