import { Flags } from '@oclif/core';
import type { KubeconfigResult } from '@cloud-barista/core/k8s/service';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';

export default class K8sKubeconfig extends BaseCommand<typeof K8sKubeconfig> {
  static override summary = "Write the cluster's kubeconfig to a file, or merge it into your kubeconfig.";
  static override description =
    'Without --merge the kubeconfig goes to $CB_HOME/kube/<ns>-<name>.yaml (or --file). With --merge a context, cluster and user named after the cluster are put into the first file of $KUBECONFIG, else ~/.kube/config; other contexts and the current context stay as they are. Files are written 0600; keys are never printed.';
  static override examples = ['<%= config.bin %> k8s kubeconfig multi', '<%= config.bin %> k8s kubeconfig multi --merge && kubectl --context multi get nodes -o wide'];
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
