import { Flags } from '@oclif/core';
import { BaseCommand, durationOf } from '../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../cli/flags.js';
import { GROUP_BY, STATS } from '../query/stats.js';
import type { QueryResult } from '../query/query.js';
import { renderQuery } from '../cli/query-render.js';
import { help } from '../cli/help.js';

export default class Query extends BaseCommand<typeof Query> {
  static override args = mcisArgs;
  static override flags = {
    ...vmScopeFlags,
    metric: Flags.string({
      summary: 'Metric name, e.g. cpu_utilization; cpu, mem and disk stand for their _utilization (as in stream).',
      required: true,
    }),
    since: Flags.string({ summary: 'Window start, back from now.', default: '15m' }),
    until: Flags.string({ summary: 'Window end, back from now.', default: '0s' }),
    stat: Flags.option({ options: STATS, default: 'avg' as const, summary: 'Statistic.' })(),
    by: Flags.option({ options: GROUP_BY, default: 'all' as const, summary: 'Group series by.' })(),
    step: Flags.string({ summary: 'Step for the per-step values (default: about 60 steps).' }),
  };

  protected async execute(): Promise<QueryResult> {
    const { resolveMetric } = await import('../metrics.js');
    const metric = resolveMetric(this.flags.metric).name;
    const sinceMs = (await durationOf(this.flags.since, '--since'))!;
    const untilMs = (await durationOf(this.flags.until, '--until'))!;
    const stepMs = await durationOf(this.flags.step, '--step');
    const { UsageError } = await import('@cloud-barista/core/errors');
    if (untilMs >= sinceMs)
      throw new UsageError('--until must be less far back than --since', {
        hint: 'e.g. --since 1h --until 15m',
      });
    if (stepMs !== undefined && stepMs < 1_000) throw new UsageError('--step must be at least 1s');
    const { storeScope } = await import('../scope.js');
    const { runQuery } = await import('../query/query.js');
    const scope = await this.vmScope();
    const { filter } = storeScope(scope);
    const now = Date.now();
    const fromMs = now - sinceMs;
    const toMs = now - untilMs;
    const series = scope.store.readMetric({ filter, metric, fromMs, toMs });
    return runQuery(series, {
      metric,
      stat: this.flags.stat,
      by: this.flags.by,
      fromMs,
      toMs,
      ...(stepMs ? { stepMs } : {}),
    });
  }

  protected override table(r: QueryResult): string {
    return renderQuery(r);
  }
}
help(Query, 'query');
