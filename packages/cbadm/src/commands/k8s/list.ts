import { Flags } from '@oclif/core';
import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../base-command.js';
import { nsFlag } from '../../flags.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

export default class K8sList extends BaseCommand<typeof K8sList> {
  static override flags = { ns: nsFlag, 'all-namespaces': Flags.boolean({ char: 'A', summary: 'Every namespace.' }) };

  protected async execute(): Promise<K8sClusterView[]> {
    return (await (await this.core()).k8s()).list(this.flags['all-namespaces'] ? undefined : this.flags.ns);
  }

  protected override table(list: K8sClusterView[]): string {
    return makeTable(['NAMESPACE', 'NAME', 'PHASE', 'VERSION', 'CNI', 'NODES', 'ENDPOINT', 'REASON'], list.map((c) => [c.ns, c.name, c.phase, c.version, c.cni, c.nodes.length, c.endpoint, c.reason]));
  }
}
help(K8sList, 'k8s list');
