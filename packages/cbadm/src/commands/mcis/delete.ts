import { Flags } from '@oclif/core';
import type { DeleteResult } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag, yesFlag } from '../../flags.js';
import { failureLines } from '../../mcis-render.js';
import { help } from '../../help.js';

export default class McisDelete extends BaseCommand<typeof McisDelete> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag, force: Flags.boolean({ summary: 'Terminate live VMs, then delete (confirms, as --yes does).' }), yes: yesFlag };

  // Something could not go (exit 3): what did go and why the rest did not is data, on stdout.
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<DeleteResult> {
    const { mcis } = await this.core();
    const m = mcis.view(this.flags.ns, this.args.name);
    const items = [`MCIS ${m.ns}/${m.name} (${m.status})`, ...m.vms.map((v) => `${v.name}  ${v.status}  ${v.connection}${v.providerId ? `  ${v.providerId}` : ''}`)];
    await this.confirm({ action: `delete MCIS ${m.name} and its ${m.vms.length} VM(s)`, items, confirmed: this.flags.yes || this.flags.force });
    return mcis.delete({ ns: this.flags.ns, name: this.args.name, force: this.flags.force, events: await this.progress(`delete ${this.args.name}`) });
  }

  protected override table(r: DeleteResult): string {
    const cleaned = r.cleanedConnections.length ? `; removed default resources of ${r.cleanedConnections.join(', ')}` : '';
    if (r.deleted) return `Deleted MCIS ${r.deleted}${cleaned}.`;
    const stuck = r.connections.filter((c) => c.outcome === 'failed').map((c) => ({ vm: `default resources of ${c.connection}`, error: c.error ?? 'failed' }));
    return [`MCIS ${this.args.name} is still Deleting${cleaned}:`, ...failureLines([...r.failedVms, ...stuck])].join('\n');
  }
}
help(McisDelete, 'mcis delete');
