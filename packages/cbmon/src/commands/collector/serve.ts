import { Flags } from '@oclif/core';
import { BaseCommand, durationOf, timerDurationOf } from '../../cli/base-command.js';
import { collectorFlags } from '../../cli/flags.js';
import { help } from '../../cli/help.js';

export default class CollectorServe extends BaseCommand<typeof CollectorServe> {
  static override flags = {
    ...collectorFlags,
    duration: Flags.string({ summary: 'Stop after this long.' }),
  };

  protected async execute(): Promise<unknown> {
    const retentionMs = (await durationOf(this.flags.retention, '--retention'))!;
    const rollupRetentionMs = (await durationOf(this.flags['rollup-retention'], '--rollup-retention'))!;
    const durationMs = await timerDurationOf(this.flags.duration, '--duration');
    const alertEvalMs = Math.max(500, (await timerDurationOf(this.flags['evaluate-every'], '--evaluate-every'))!);
    const { parseListen } = await import('../../collector/push-server.js');
    const listen = this.flags.listen ? parseListen(this.flags.listen) : undefined;
    const tlsWanted = this.flags.tls || this.flags['tls-cert'] !== undefined;
    if (tlsWanted && !listen) {
      const { UsageError } = await import('@cloud-barista/core/errors');
      throw new UsageError('--tls and --tls-cert need --listen', { hint: 'e.g. --listen 0.0.0.0:8086 --tls' });
    }
    const { Collector } = await import('../../collector/collector.js');
    const { writeCollectorInfo, removeCollectorInfo } = await import('@cloud-barista/agent/collector-info');
    const { core, store } = await this.mon();
    const tls = !tlsWanted
      ? undefined
      : this.flags['tls-cert']
        ? (await import('../../collector/tls.js')).loadTls(this.flags['tls-cert'], this.flags['tls-key']!)
        : (await import('../../collector/tls.js')).selfSignedTls(core.home.root);
    const log = (line: string) => this.note(`${new Date().toISOString()} ${line}`);
    const collector = new Collector({
      core,
      store,
      ...(this.flags.ns ? { ns: this.flags.ns } : {}),
      ...(this.flags.mcis ? { mcis: this.flags.mcis } : {}),
      ...(listen ? { listen: { ...listen, ...(tls ? { tls } : {}) } } : {}),
      retentionMs,
      rollupRetentionMs,
      alerts: this.flags.alerts,
      alertEvalMs,
      log,
    });
    const stop = this.stopSignal(durationMs);
    const { pushUrl } = await collector.start();
    writeCollectorInfo(core.home.root, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      pushUrl,
      pushPin: tls?.pin ?? null,
      log: process.env.CBMON_COLLECTOR_LOG ?? null,
    });
    const agents = store.listAgents().length;
    log(
      `collector running (pid ${process.pid}): ${agents} agent(s) registered${pushUrl ? `, accepting pushes at ${pushUrl}${tls ? ` (key pin ${tls.pin})` : ''}` : ''}`,
    );
    try {
      await new Promise<void>((resolve) =>
        stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true }),
      );
    } finally {
      await collector.stop();
      removeCollectorInfo(core.home.root, process.pid);
    }
    const s = collector.stats();
    log(`collector stopped: ${s.stored} sample(s) stored, ${s.lost} lost`);
    return this.format === 'table' ? undefined : s;
  }
}
help(CollectorServe, 'collector serve');
