import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { nsParse } from '../flags.js';
import { help } from '../help.js';

/**
 * The names the completion scripts offer, one per line, from the local store only (no cloud is
 * asked, so TAB stays fast). Hidden: it is for the scripts, not for people. Never fails: a store
 * that cannot be read (or does not exist yet) offers nothing.
 */
export default class CompleteNames extends BaseCommand<typeof CompleteNames> {
  static override hidden = true;
  static override args = {
    kind: Args.string({ required: true, options: ['mcis', 'connection', 'credential', 'vm', 'k8s'] }),
    mcis: Args.string({ description: 'For vm: the MCIS whose VMs to list.' }),
  };
  static override flags = { ns: Flags.string({ summary: 'Namespace.', env: 'CB_NS', default: 'default', parse: nsParse }) };

  protected async execute(): Promise<undefined> {
    const names = await this.names().catch(() => []);
    if (names.length) process.stdout.write(`${names.join('\n')}\n`);
    return undefined;
  }

  private async names(): Promise<string[]> {
    // No store yet: nothing to offer, and a TAB must not create one.
    const { existsSync } = await import('node:fs');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    if (!existsSync(homePaths(resolveHome()).db)) return [];
    const core = await this.core();
    const ns = this.flags.ns;
    switch (this.args.kind) {
      case 'mcis':
        return core.mcis.list(ns).map((m) => m.name);
      case 'connection':
        return core.connections.list().map((c) => c.name);
      case 'credential':
        return core.credentials.list().map((c) => c.name);
      case 'vm':
        return this.args.mcis ? core.mcis.view(ns, this.args.mcis).vms.map((v) => v.name) : [];
      default:
        return (await core.k8s()).list(ns).map((c) => c.name);
    }
  }
}
help(CompleteNames, '__complete');
