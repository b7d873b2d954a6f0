import { Args, Flags } from '@oclif/core';
import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../../base-command.js';
import { nameParse, nsFlag } from '../../../flags.js';
import { clusterSummary } from '../../../k8s-render.js';
import { help } from '../../../help.js';

export default class K8sNodeAdd extends BaseCommand<typeof K8sNodeAdd> {
  static override args = { name: Args.string({ required: true, description: 'cluster' }) };
  static override flags = {
    ns: nsFlag,
    connection: Flags.string({ required: true, summary: 'Connection for the new VMs.', parse: nameParse('--connection') }),
    count: Flags.integer({ min: 1, max: 500, default: 1, summary: 'How many nodes.' }),
    role: Flags.option({ options: ['worker', 'control-plane'] as const, default: 'worker' as const, summary: 'Node role.' })(),
    spec: Flags.string({ summary: "VM spec (default: the cluster's first worker set's)." }),
    image: Flags.string({ summary: "Image (default: the cluster's first worker set's)." }),
  };

  protected async execute(): Promise<K8sClusterView> {
    const k8s = await (await this.core()).k8s();
    const f = this.flags;
    return k8s.addNodes({ ns: f.ns, name: this.args.name, connection: f.connection, count: f.count, role: f.role, ...(f.spec ? { spec: f.spec } : {}), ...(f.image ? { image: f.image } : {}), events: await this.progress(`k8s node add ${this.args.name}`) });
  }

  protected override table(c: K8sClusterView): string {
    return clusterSummary(c);
  }
}
help(K8sNodeAdd, 'k8s node add');
