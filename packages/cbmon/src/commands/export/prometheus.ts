import { Flags } from '@oclif/core';
import { BaseCommand, durationOf, timerDurationOf } from '../../cli/base-command.js';
import { help } from '../../cli/help.js';

export default class ExportPrometheus extends BaseCommand<typeof ExportPrometheus> {
  static override flags = {
    listen: Flags.string({
      summary: 'HOST:PORT to serve /metrics on.',
      default: '127.0.0.1:9464',
      env: 'CBMON_PROMETHEUS_LISTEN',
    }),
    ns: Flags.string({ summary: 'Only this namespace (default: all).' }),
    mcis: Flags.string({ summary: 'Only this MCIS (default: all).' }),
    stale: Flags.string({ summary: 'Leave out VMs whose newest sample is older than this.', default: '5m' }),
    duration: Flags.string({ summary: 'Stop after this long.' }),
  };

  protected async execute(): Promise<undefined> {
    const staleMs = (await durationOf(this.flags.stale, '--stale'))!;
    const durationMs = await timerDurationOf(this.flags.duration, '--duration');
    const { parseListen } = await import('../../collector/push-server.js');
    const { host, port } = parseListen(this.flags.listen);
    const { servePrometheus } = await import('../../export/prometheus.js');
    const { store } = await this.mon();
    const filter = {
      ...(this.flags.ns ? { ns: this.flags.ns } : {}),
      ...(this.flags.mcis ? { mcis: this.flags.mcis } : {}),
    };
    const { server, url } = await servePrometheus({
      host,
      port,
      latest: () => store.latest(filter, Date.now() - staleMs).map((s) => store.decode(s)),
    });
    process.stdout.write(
      this.format === 'json' ? `${JSON.stringify({ url })}\n` : `Serving Prometheus metrics at ${url}\n`,
    );
    const stop = this.stopSignal(durationMs);
    await new Promise<void>((resolve) =>
      stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true }),
    );
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return undefined;
  }
}
help(ExportPrometheus, 'export prometheus');
