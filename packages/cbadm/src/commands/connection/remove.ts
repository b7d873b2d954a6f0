import { Flags } from '@oclif/core';
import type { ForcedRemoval } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, yesFlag } from '../../flags.js';
import { help } from '../../help.js';

type Result = { removed: string; forced?: ForcedRemoval };

export default class ConnectionRemove extends BaseCommand<typeof ConnectionRemove> {
  static override args = nameArgs;
  static override flags = { yes: yesFlag, force: Flags.boolean({ summary: 'Clean up its default resources in the cloud by tags and forget the rest (confirms, as --yes does).' }) };
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<Result> {
    const core = await this.core();
    const c = core.connections.get(this.args.name);
    await this.confirm({ action: `remove connection ${c.name}`, items: [`connection ${c.name} (${c.provider}, ${c.region})`], confirmed: this.flags.yes || this.flags.force });
    if (!this.flags.force) {
      core.connections.remove(this.args.name);
      return { removed: this.args.name };
    }
    const forced = await core.mcis.removeConnectionForced({ connection: c.name, events: await this.progress(`remove ${c.name}`) });
    return { removed: c.name, forced };
  }

  protected override table(r: Result | ForcedRemoval): string {
    // A partial forced removal carries the ForcedRemoval itself.
    const f = 'forced' in r ? r.forced : 'cleaned' in r ? r : undefined;
    const name = 'removed' in r ? r.removed : r.connection;
    if (!f) return `Removed connection ${name}.`;
    const was = (kind: string) => {
      const rec = f.recorded.find((x) => x.kind === kind);
      return rec ? ` (recorded as ${rec.status})` : '';
    };
    return [
      `Removed connection ${name}.`,
      `Deleted from the cloud (found by the cb-managed tags): ${f.cleaned.length ? f.cleaned.map((o) => `${o.kind} ${o.id}${was(o.kind)}`).join(', ') : 'nothing, the cloud had none'}.`,
      `Forgot, the cloud had nothing of them: ${f.forgotten.length ? f.forgotten.map((x) => `${x.kind} (${x.status})`).join(', ') : 'none'}.`,
      ...f.left.map((l) => `May remain in the cloud: ${l.kind} ${l.id}: ${l.error}`),
    ].join('\n');
  }
}
help(ConnectionRemove, 'connection remove');
