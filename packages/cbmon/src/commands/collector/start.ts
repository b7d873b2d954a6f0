import { BaseCommand } from '../../cli/base-command.js';
import { collectorFlags } from '../../cli/flags.js';
import type { CollectorInfo } from '@cloud-barista/agent/collector-info';
import { help } from '../../cli/help.js';

export default class CollectorStart extends BaseCommand<typeof CollectorStart> {
  static override flags = collectorFlags;

  protected async execute(): Promise<CollectorInfo & { alreadyRunning: boolean }> {
    const { parseDuration, parseTimerDuration } = await import('@cloud-barista/agent/duration');
    parseDuration(this.flags.retention, '--retention');
    parseDuration(this.flags['rollup-retention'], '--rollup-retention');
    parseTimerDuration(this.flags['evaluate-every'], '--evaluate-every');
    if (this.flags.listen) (await import('../../collector/push-server.js')).parseListen(this.flags.listen);
    const args = ['--retention', this.flags.retention, '--rollup-retention', this.flags['rollup-retention']];
    if (this.flags.ns) args.push('--ns', this.flags.ns);
    for (const m of this.flags.mcis ?? []) args.push('--mcis', m);
    if (this.flags.listen) args.push('--listen', this.flags.listen);
    if (!this.flags.alerts) args.push('--no-alerts');
    if (this.flags.tls) args.push('--tls');
    if (this.flags['tls-cert']) args.push('--tls-cert', this.flags['tls-cert'], '--tls-key', this.flags['tls-key']!);
    args.push('--evaluate-every', this.flags['evaluate-every']);
    const { startCollector } = await import('../../collector/daemon.js');
    const { resolveHome } = await import('@cloud-barista/core/home');
    return startCollector(resolveHome(), args);
  }

  protected override table(r: CollectorInfo & { alreadyRunning: boolean }): string {
    return `${r.alreadyRunning ? 'The collector was already running' : 'Collector started'} (pid ${r.pid})${r.pushUrl ? `; pushes to ${r.pushUrl}` : ''}${r.pushPin ? ` (key pin ${r.pushPin})` : ''}.\nNext: cbmon collector status`;
  }
}
help(CollectorStart, 'collector start');
