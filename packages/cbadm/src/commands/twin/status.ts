import { BaseCommand } from '../../base-command.js';
import type { TwinStatus } from '../../twin/control.js';

export function twinStatusText(s: TwinStatus): string {
  if (!s.running) return `Cloud-Twin is not running (state in ${s.stateDir}). Start it with: cbadm twin up`;
  const inst = Object.entries(s.instances ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  return `Cloud-Twin running (pid ${s.pid}) since ${s.startedAt}\n  aws endpoint: ${s.endpoints?.aws}\n  VM SSH port:  ${s.sshPort}\n  instances:    ${inst}`;
}

export default class TwinStatusCmd extends BaseCommand<typeof TwinStatusCmd> {
  static override summary = 'Show whether Cloud-Twin runs, its endpoints and instance counts.';
  static override examples = ['<%= config.bin %> twin status --json | jq -r .endpoints.aws'];

  protected async execute(): Promise<TwinStatus> {
    const { twinStatus } = await import('../../twin/control.js');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    return twinStatus(homePaths(resolveHome()).twin);
  }

  protected override table(s: TwinStatus): string {
    return twinStatusText(s);
  }
}
