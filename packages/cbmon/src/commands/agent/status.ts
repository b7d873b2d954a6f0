import { PartialError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../../cli/flags.js';
import { statusTable, type AgentStatusRow } from '../../cli/agent-render.js';
import { help } from '../../cli/help.js';

export default class AgentStatus extends BaseCommand<typeof AgentStatus> {
  static override args = mcisArgs;
  static override flags = vmScopeFlags;

  protected async execute(): Promise<AgentStatusRow[]> {
    const { agentStatuses, assertAllOk } = await import('@cloud-barista/agent/install');
    const scope = await this.vmScope();
    const r = await agentStatuses(scope);
    const rows = r.vms.map((v): AgentStatusRow => {
      const rec = scope.store.getAgent(scope.ns, scope.mcis, v.vm);
      const s = v.status;
      return {
        vm: v.vm,
        reachable: v.ok,
        installed: s?.installed ?? null,
        running: s?.running ?? null,
        version: s?.version ?? null,
        mode: s?.mode ?? rec?.mode ?? null,
        intervalS: s?.intervalS ?? null,
        seq: s?.seq ?? null,
        ringFirst: s?.first ?? null,
        ringKb: s?.ringKb ?? null,
        stored: rec?.lastSeq ?? null,
        lag:
          s && rec && s.installed && (rec.epoch === null || rec.epoch === s.epoch)
            ? Math.max(0, s.seq - rec.lastSeq)
            : null,
        lost: rec?.lost ?? null,
        error: v.error ?? null,
      };
    });
    const bad = r.vms.filter((v) => !v.ok);
    if (bad.length === r.vms.length) assertAllOk(r, 'agent status');
    if (bad.length)
      throw new PartialError(
        `could not ask ${bad.length} of ${r.vms.length} VM(s): ${bad.map((b) => `${b.vm}: ${b.error}`).join('; ')}`,
        rows,
      );
    return rows;
  }

  protected override table(rows: AgentStatusRow[]): string {
    return statusTable(rows);
  }
}
help(AgentStatus, 'agent status');
