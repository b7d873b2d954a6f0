import { Flags } from '@oclif/core';
import { BaseCommand, timerDurationOf } from '../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../cli/flags.js';
import type { Sample } from '@cloud-barista/agent/sample';
import { help } from '../cli/help.js';

export default class Stream extends BaseCommand<typeof Stream> {
  static override args = mcisArgs;
  static override flags = {
    ...vmScopeFlags,
    metric: Flags.string({
      summary:
        'Metrics or measurements to show, comma-separated (cpu, mem, disk, diskio, net, overlay, system, or names like cpu_utilization).',
    }),
    duration: Flags.string({ summary: 'Stop after this long (e.g. 30s).' }),
    last: Flags.integer({ summary: "Start with each agent's last N samples.", default: 0, min: 0 }),
  };

  protected async execute(): Promise<undefined> {
    const { selectMetrics } = await import('../metrics.js');
    const metrics = selectMetrics(this.flags.metric);
    const durationMs = await timerDurationOf(this.flags.duration, '--duration');
    const { runLive, filterSample } = await import('../live.js');
    const { compactLine, sampleJson } = await import('../cli/sample-render.js');
    const { core, targets } = await this.liveTargets();
    const json = this.format === 'json';
    const outcomes = await runLive({
      core,
      targets,
      signal: this.stopSignal(durationMs),
      backlog: this.flags.last,
      onSample: (s: Sample) => {
        const f = filterSample(s, metrics);
        process.stdout.write(`${json ? JSON.stringify(sampleJson(f)) : compactLine(f)}\n`);
      },
      onState: (vm, state, detail) => {
        if (state === 'retrying' || state === 'waiting' || (state === 'done' && detail))
          this.note(`${vm}: ${state}${detail ? `: ${detail}` : ''}`);
      },
    });
    const failed = outcomes.filter((o) => o.samples === 0 && o.error);
    for (const f of failed) this.note(`${f.vm}: no samples: ${f.error}${f.hint ? ` (${f.hint})` : ''}`);
    if (failed.length) process.exitCode = failed.length === outcomes.length ? 1 : 3;
    return undefined;
  }
}
help(Stream, 'stream');
