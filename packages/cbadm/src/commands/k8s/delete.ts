import type { KubeconfigCleanup } from '@cloud-barista/core/k8s/kubeconfig';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag, yesFlag } from '../../flags.js';
import { help } from '../../help.js';

type Result = { deleted: string; mcisDeleted: string[]; kubeconfigs: KubeconfigCleanup[] };

export default class K8sDelete extends BaseCommand<typeof K8sDelete> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag, yes: yesFlag };

  protected async execute(): Promise<Result> {
    const k8s = await (await this.core()).k8s();
    const c = k8s.get(this.flags.ns, this.args.name);
    const items = [`cluster ${c.ns}/${c.name} (${c.phase}, ${c.nodes.length} node(s))`, ...c.mcis.map((m) => `MCIS ${m} if the cluster created it`)];
    await this.confirm({ action: `delete cluster ${c.name}`, items, confirmed: this.flags.yes });
    return k8s.delete({ ns: this.flags.ns, name: this.args.name, events: await this.progress(`k8s delete ${this.args.name}`) });
  }

  protected override table(r: Result): string {
    const kube = r.kubeconfigs.flatMap((k) =>
      k.outcome === 'context' ? [`Removed context '${r.deleted}' (and its cluster and user) from ${k.file}`] : k.outcome === 'file' ? [`Deleted ${k.file} (it held only this cluster)`] : [],
    );
    return [`Deleted cluster ${r.deleted}${r.mcisDeleted.length ? ` and MCIS ${r.mcisDeleted.join(', ')}` : ''}`, ...kube].join('\n');
  }
}
help(K8sDelete, 'k8s delete');
