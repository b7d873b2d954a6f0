import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { CollectorInfo } from '../../collector/daemon.js';

export default class CollectorStart extends BaseCommand<typeof CollectorStart> {
  static override summary =
    'Start the collector in the background (no-op if one runs); logs go to $CB_HOME/cbmon/collector.log.';
  static override examples = [
    '<%= config.bin %> collector start',
    '<%= config.bin %> collector start --listen 0.0.0.0:8086',
  ];
  static override flags = {
    ns: Flags.string({ summary: 'Only agents of this namespace (default: all).' }),
    mcis: Flags.string({ multiple: true, summary: 'Only agents of this MCIS (repeatable).' }),
    listen: Flags.string({ summary: 'Accept pushed line protocol on HOST:PORT.', env: 'CBMON_LISTEN' }),
    retention: Flags.string({
      summary: 'Keep raw samples this long.',
      default: '7d',
      env: 'CBMON_RETENTION',
    }),
    'rollup-retention': Flags.string({ summary: 'Keep 1-minute rollups this long.', default: '90d' }),
    alerts: Flags.boolean({ summary: 'Evaluate alert rules.', default: true, allowNo: true }),
    'evaluate-every': Flags.string({ summary: 'How often alert rules are evaluated.', default: '5s' }),
  };

  protected async execute(): Promise<CollectorInfo & { alreadyRunning: boolean }> {
    const { parseDuration } = await import('../../duration.js');
    parseDuration(this.flags.retention, '--retention');
    parseDuration(this.flags['rollup-retention'], '--rollup-retention');
    parseDuration(this.flags['evaluate-every'], '--evaluate-every');
    if (this.flags.listen) (await import('../../collector/push-server.js')).parseListen(this.flags.listen);
    const args = ['--retention', this.flags.retention, '--rollup-retention', this.flags['rollup-retention']];
    if (this.flags.ns) args.push('--ns', this.flags.ns);
    for (const m of this.flags.mcis ?? []) args.push('--mcis', m);
    if (this.flags.listen) args.push('--listen', this.flags.listen);
    if (!this.flags.alerts) args.push('--no-alerts');
    args.push('--evaluate-every', this.flags['evaluate-every']);
    const { startCollector } = await import('../../collector/daemon.js');
    const { resolveHome } = await import('@cloud-barista/core/home');
    return startCollector(resolveHome(), args);
  }

  protected override table(r: CollectorInfo & { alreadyRunning: boolean }): string {
    return `${r.alreadyRunning ? 'The collector was already running' : 'Collector started'} (pid ${r.pid})${r.pushUrl ? `; pushes to ${r.pushUrl}` : ''}.\nNext: cbmon collector status`;
  }
}
