import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { clusterSummary } from '../../k8s-render.js';
import { help } from '../../help.js';

export default class K8sGet extends BaseCommand<typeof K8sGet> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<K8sClusterView> {
    return (await (await this.core()).k8s()).get(this.flags.ns, this.args.name);
  }

  protected override table(c: K8sClusterView): string {
    return clusterSummary(c);
  }
}
help(K8sGet, 'k8s get');
