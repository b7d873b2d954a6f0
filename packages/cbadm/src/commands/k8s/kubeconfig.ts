import { Flags } from '@oclif/core';
import type { KubeconfigResult } from '@cloud-barista/core/k8s/service';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { help } from '../../help.js';

export default class K8sKubeconfig extends BaseCommand<typeof K8sKubeconfig> {
  static override args = nameArgs;
  static override flags = {
    ns: nsFlag,
    merge: Flags.boolean({ summary: 'Merge into $KUBECONFIG (first file) or ~/.kube/config.' }),
    file: Flags.string({ summary: 'Write (or merge) into this file instead.' }),
    'allow-exec': Flags.boolean({ summary: "Keep an exec or auth-provider user entry of the control plane's admin.conf (kubectl runs it on this machine)." }),
  };

  protected async execute(): Promise<KubeconfigResult> {
    const k8s = await (await this.core()).k8s();
    return k8s.kubeconfig({ ns: this.flags.ns, name: this.args.name, ...(this.flags.merge ? { merge: true } : {}), ...(this.flags.file ? { file: this.flags.file } : {}), ...(this.flags['allow-exec'] ? { allowExec: true } : {}) });
  }

  protected override table(r: KubeconfigResult): string {
    return `${r.merged ? 'Merged context' : 'Wrote context'} '${r.context}' (${r.server}) ${r.merged ? 'into' : 'to'} ${r.file}\n`;
  }
}
help(K8sKubeconfig, 'k8s kubeconfig');
