import { BaseCommand } from '../../cli/base-command.js';
import type { CollectorStats } from '../../collector/stats.js';
import type { CollectorInfo } from '@cloud-barista/agent/collector-info';
import { makeTable } from '../../cli/render.js';
import { help } from '../../cli/help.js';

interface Result {
  running: boolean;
  pid: number | null;
  pushUrl: string | null;
  /** The key pin agents use for a self-signed HTTPS push listener. */
  pushPin: string | null;
  log: string | null;
  /** The running (or last) collector's figures. */
  stats: CollectorStats | null;
  store: { samples: number; rollups: number; bytes: number; oldest: string | null; newest: string | null };
}

export default class CollectorStatus extends BaseCommand<typeof CollectorStatus> {
  protected async execute(): Promise<Result> {
    const { readCollectorInfo } = await import('@cloud-barista/agent/collector-info');
    const { STATS_KEY } = await import('../../collector/collector.js');
    const { store, core } = await this.mon();
    const info: CollectorInfo | undefined = readCollectorInfo(core.home.root);
    const st = store.stats();
    return {
      running: info !== undefined,
      pid: info?.pid ?? null,
      pushUrl: info?.pushUrl ?? null,
      pushPin: info?.pushPin ?? null,
      log: info?.log ?? null,
      stats: store.getKv<CollectorStats>(STATS_KEY) ?? null,
      store: {
        samples: st.samples,
        rollups: st.rollups,
        bytes: st.bytes,
        oldest: st.oldestMs === null ? null : new Date(st.oldestMs).toISOString(),
        newest: st.newestMs === null ? null : new Date(st.newestMs).toISOString(),
      },
    };
  }

  protected override table(r: Result): string {
    const s = r.stats;
    const head = r.running
      ? `Collector running (pid ${r.pid})${r.pushUrl ? `, pushes at ${r.pushUrl}` : ''}${r.pushPin ? ` (key pin ${r.pushPin})` : ''}.`
      : 'No collector is running.';
    const figures = s
      ? `Stored ${s.stored} samples (${s.rate}/s), lost ${s.lost}, latency p95 ${s.latencyMs.p95 ?? '-'} ms, CPU ${s.cpuPercent}% of a core (as of ${s.updatedAt}).`
      : '';
    const agents =
      s && r.running
        ? makeTable(
            ['MCIS', 'VM', 'MODE', 'STATE', 'SEQ', 'LAST SAMPLE', 'LOST', 'DETAIL'],
            s.agents.map((a) => [a.mcis, a.vm, a.mode, a.state, a.lastSeq, a.lastSampleAt, a.lost, a.detail]),
          )
        : '';
    const storeLine = `Store: ${r.store.samples} samples, ${r.store.rollups} rollups, ${(r.store.bytes / 1024 / 1024).toFixed(1)} MiB${r.store.oldest ? `, ${r.store.oldest} .. ${r.store.newest}` : ''}.`;
    return [head, figures, agents, storeLine].filter(Boolean).join('\n');
  }
}
help(CollectorStatus, 'collector status');
