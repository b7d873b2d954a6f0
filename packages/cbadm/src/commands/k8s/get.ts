import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { clusterSummary } from '../../k8s-render.js';

export default class K8sGet extends BaseCommand<typeof K8sGet> {
  static override summary = 'Show a cluster: phase (with the reason on failure), endpoint, and each node with its last bootstrap step.';
  static override examples = ['<%= config.bin %> k8s get multi', '<%= config.bin %> k8s get multi --json | jq -r .phase'];
  static override args = nameArgs;
  static override flags = { ns: nsFlag };

  protected async execute(): Promise<K8sClusterView> {
    return (await (await this.core()).k8s()).get(this.flags.ns, this.args.name);
  }

  protected override table(c: K8sClusterView): string {
    return clusterSummary(c);
  }
}
