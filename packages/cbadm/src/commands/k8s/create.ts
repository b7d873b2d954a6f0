import { Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { UsageError } from '@cloud-barista/core/errors';
import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { BaseCommand } from '../../base-command.js';
import { nsParse } from '../../flags.js';
import { clusterSummary } from '../../k8s-render.js';
import { help } from '../../help.js';

export default class K8sCreate extends BaseCommand<typeof K8sCreate> {
  static override flags = {
    file: Flags.string({ char: 'f', required: true, summary: "K8sCluster manifest (YAML), or '-' for standard input." }),
    mcis: Flags.string({ summary: 'Use this existing MCIS (its subgroups named after the node sets) instead of creating one.' }),
    ns: Flags.string({ summary: 'Namespace (default: metadata.namespace, else default).', env: 'CB_NS', parse: nsParse }),
    'api-access': Flags.string({
      summary: 'CIDRs (comma-separated) the API server port is opened to, for kubectl: default 0.0.0.0/0 (clients still need the kubeconfig\'s certificate).',
      description: 'The nodes always reach each other; this is where you run kubectl from, e.g. your public IP as 203.0.113.7/32.',
    }),
  };

  protected async execute(): Promise<K8sClusterView> {
    const source = this.flags.file;
    let text: string;
    try {
      text = readFileSync(source === '-' ? 0 : source, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read manifest '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'pass an existing YAML file with -f' });
    }
    const { parseK8sManifest } = await import('@cloud-barista/core/k8s/manifest');
    const v = parseK8sManifest(text, source);
    if (!v.value) throw new UsageError(`invalid manifest ${source}`, { issues: v.errors, hint: 'fix the fields listed above; nothing was created' });
    for (const w of v.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
    const k8s = await (await this.core()).k8s();
    return k8s.create({
      ns: this.flags.ns ?? v.value.namespace ?? 'default',
      manifest: v.value,
      ...(this.flags.mcis ? { mcis: this.flags.mcis } : {}),
      ...(this.flags['api-access'] !== undefined ? { apiAccess: this.flags['api-access'].split(',').map((a) => a.trim()) } : {}),
      events: await this.progress(`k8s create ${v.value.name}`),
    });
  }

  protected override table(c: K8sClusterView): string {
    return clusterSummary(c);
  }
}
help(K8sCreate, 'k8s create');
