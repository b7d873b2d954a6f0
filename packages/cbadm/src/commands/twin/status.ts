import { ExitCode } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import type { TwinStatus } from '../../twin/control.js';
import { help } from '../../help.js';

/** What isolation costs per VM, when VMs have run: ` (median start 120 ms, 2.9 MB per running VM)`. */
function costText(cost: TwinStatus['isolationCost']): string {
  const parts = [
    ...(cost?.medianStartMs !== undefined ? [`median VM start ${cost.medianStartMs} ms`] : []),
    ...(cost?.rssKbPerVm !== undefined ? [`${(cost.rssKbPerVm / 1024).toFixed(1)} MB per running VM`] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** One line per listener (each provider's API, the admin API, the Azure CA, the VMs' SSH port), then the instance counts. */
function statusLines(s: TwinStatus): string[] {
  const instances = Object.entries(s.instances ?? {}).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const rows: Array<[string, string | number | undefined]> = [
    ...Object.entries(s.endpoints ?? {}).map(([provider, url]): [string, string] => [`${provider} endpoint`, url]),
    ['admin API', s.adminUrl],
    ['azure CA file', s.caFile],
    ['VM SSH port', s.sshPort],
    ['isolation', s.isolation ? (s.isolation.on ? `on${costText(s.isolationCost)}` : `off (${s.isolation.reason ?? 'unknown'})`) : undefined],
    ['instances', instances],
  ];
  const shown = rows.filter((r): r is [string, string | number] => r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  return shown.map(([k, v]) => `  ${`${k}:`.padEnd(width + 1)}${v}`);
}

export function twinStatusText(s: TwinStatus): string {
  if (!s.running) return `Cloud-Twin is not running (state in ${s.stateDir}). Start it with: cbadm twin up`;
  return [`Cloud-Twin running (pid ${s.pid}) since ${s.startedAt}`, ...statusLines(s)].join('\n');
}

export default class TwinStatusCmd extends BaseCommand<typeof TwinStatusCmd> {
  protected async execute(): Promise<TwinStatus> {
    const { twinStatus } = await import('../../twin/control.js');
    const { resolveHome, homePaths } = await import('@cloud-barista/core/home');
    const status = await twinStatus(homePaths(resolveHome()).twin);
    // Not running is an answer, not an error: the status is printed, and the exit code says it.
    if (!status.running) process.exitCode = ExitCode.NotFound;
    return status;
  }

  protected override table(s: TwinStatus): string {
    return twinStatusText(s);
  }
}
help(TwinStatusCmd, 'twin status');
