import type { RecoverResult } from '@cloud-barista/core/orchestrator/recover';
import { PartialError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { help } from '../../help.js';

export default class StateRecover extends BaseCommand<typeof StateRecover> {
  protected async execute(): Promise<RecoverResult> {
    const { recoverState } = await import('@cloud-barista/core/orchestrator/recover');
    const { homePaths, resolveHome } = await import('@cloud-barista/core/home');
    const { driverRegistry } = await import('@cloud-barista/drivers');
    const r = await recoverState({ home: homePaths(resolveHome()), drivers: driverRegistry });
    if (r.failed.length) {
      throw new PartialError(`recovered ${r.mcis.length} MCIS, but ${r.failed.length} connection(s) could not be asked: ${r.failed.map((f) => `${f.connection}: ${f.error}`).join('; ')}`, r, {
        hint: 'run cbadm state recover again once those clouds answer',
      });
    }
    return r;
  }

  protected override table(r: RecoverResult): string {
    const lines = [`Rebuilt ${r.file} from the clouds${r.keptAs ? ` (the old store is kept as ${r.keptAs})` : ''}.`];
    lines.push(`connections: ${r.connections.join(', ') || 'none'}; credentials: ${r.credentials.join(', ') || 'none'}`);
    for (const m of r.mcis) lines.push(`  ${m.ns}/${m.name}: ${m.vms} VM(s), ${m.status}`);
    if (!r.mcis.length) lines.push('  no MCIS found in the clouds');
    return lines.join('\n');
  }
}
help(StateRecover, 'state recover');
