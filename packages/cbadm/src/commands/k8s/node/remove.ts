import { Args } from '@oclif/core';
import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../../base-command.js';
import { nsFlag, yesFlag } from '../../../flags.js';
import { clusterSummary } from '../../../k8s-render.js';
import { help } from '../../../help.js';

export default class K8sNodeRemove extends BaseCommand<typeof K8sNodeRemove> {
  static override args = { name: Args.string({ required: true, description: 'cluster' }), node: Args.string({ required: true, description: 'node (VM) name' }) };
  static override flags = { ns: nsFlag, yes: yesFlag };

  protected async execute(): Promise<K8sClusterView> {
    const k8s = await (await this.core()).k8s();
    const c = k8s.get(this.flags.ns, this.args.name);
    await this.confirm({ action: `remove node ${this.args.node} from cluster ${c.name} and terminate its VM`, items: [`node ${this.args.node} of ${c.ns}/${c.name}`], confirmed: this.flags.yes });
    return k8s.removeNode({ ns: this.flags.ns, name: this.args.name, node: this.args.node, events: await this.progress(`k8s node remove ${this.args.node}`) });
  }

  protected override table(c: K8sClusterView): string {
    return clusterSummary(c);
  }
}
help(K8sNodeRemove, 'k8s node remove');
