import { Flags } from '@oclif/core';
import { BaseCommand, durationOf } from '../../cli/base-command.js';
import { help } from '../../cli/help.js';

interface Result {
  samples: number;
  lines: number;
  url: string | null;
  from: string;
  to: string;
}

export default class ExportInflux extends BaseCommand<typeof ExportInflux> {
  static override flags = {
    url: Flags.string({ summary: 'InfluxDB URL (without: print to stdout).', env: 'CBMON_INFLUX_URL' }),
    db: Flags.string({ summary: 'InfluxDB 1.x database.', default: 'cbmon' }),
    bucket: Flags.string({ summary: 'InfluxDB 2.x bucket (uses /api/v2/write).' }),
    org: Flags.string({ summary: 'InfluxDB 2.x organization.' }),
    'token-stdin': Flags.boolean({
      summary: 'Read the InfluxDB token from stdin (first line). Without it: $INFLUX_TOKEN.',
    }),
    // Refused with a message that does not repeat it: a token on a command line is visible to every user of the machine.
    token: Flags.string({ hidden: true }),
    since: Flags.string({ summary: 'Send samples from this far back.', default: '1h' }),
    ns: Flags.string({ summary: 'Only this namespace.' }),
    mcis: Flags.string({ summary: 'Only this MCIS.' }),
    follow: Flags.boolean({ summary: 'Keep sending new samples.' }),
    batch: Flags.integer({ summary: 'Lines per write.', default: 5000, min: 1 }),
  };

  protected async execute(): Promise<Result | undefined> {
    const sinceMs = (await durationOf(this.flags.since, '--since'))!;
    const token = await this.token();
    const { sampleLines, postLines } = await import('../../export/influx.js');
    const { sleep } = await import('@cloud-barista/core/util/poll');
    const { store } = await this.mon();
    const target = this.flags.url
      ? {
          url: this.flags.url,
          db: this.flags.db,
          ...(this.flags.bucket ? { bucket: this.flags.bucket } : {}),
          ...(this.flags.org ? { org: this.flags.org } : {}),
          ...(token ? { token } : {}),
        }
      : undefined;
    if (target && !URL.canParse(target.url)) {
      const { UsageError } = await import('@cloud-barista/core/errors');
      throw new UsageError(`--url: '${target.url}' is not a URL`, { hint: 'e.g. --url http://influx:8086' });
    }
    const filter = {
      ...(this.flags.ns ? { ns: this.flags.ns } : {}),
      ...(this.flags.mcis ? { mcis: this.flags.mcis } : {}),
    };
    const stop = this.flags.follow ? this.stopSignal() : undefined;
    const from = Date.now() - sinceMs;
    let after = from;
    let samples = 0;
    let lines = 0;
    let to = after;
    const send = async (batch: string[]) => {
      if (batch.length === 0) return;
      if (target) await postLines(target, batch);
      else process.stdout.write(`${batch.join('\n')}\n`);
      lines += batch.length;
    };
    do {
      to = Date.now();
      let batch: string[] = [];
      let newest = after;
      for (const s of store.samplesBetween(filter, after, to)) {
        batch.push(...sampleLines(store.decode(s)));
        samples++;
        newest = Math.max(newest, s.tsMs);
        if (batch.length >= this.flags.batch) {
          await send(batch);
          batch = [];
        }
      }
      await send(batch);
      // Samples are written in batches with their own times: keep the window edge, not the newest.
      after = Math.max(after, Math.min(newest, to - 5_000));
      if (stop) await sleep(2_000, stop).catch(() => undefined);
    } while (stop && !stop.aborted);
    if (!target) return undefined;
    return {
      samples,
      lines,
      url: target.url,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    };
  }

  /** From stdin (--token-stdin) or the environment, never from a flag value. */
  private async token(): Promise<string | undefined> {
    const { UsageError } = await import('@cloud-barista/core/errors');
    if (this.flags.token !== undefined)
      throw new UsageError('--token is not accepted: a token on the command line is visible to other users (ps)', {
        hint: 'pipe it in with --token-stdin, or set INFLUX_TOKEN',
      });
    if (!this.flags['token-stdin']) return process.env.INFLUX_TOKEN || process.env.CBMON_INFLUX_TOKEN || undefined;
    if (process.stdin.isTTY)
      throw new UsageError('--token-stdin: stdin is a terminal', { hint: 'pipe the token in: … | cbmon export influx --token-stdin' });
    let text = '';
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8');
      if (text.length > 64 * 1024) break;
    }
    const t = text.split(/\r?\n/)[0]!.trim();
    if (!t) throw new UsageError('--token-stdin: stdin held no token', { hint: 'pipe the token in as the first line' });
    return t;
  }

  protected override table(r: Result): string {
    return `Exported ${r.samples} sample(s) as ${r.lines} line(s) to ${r.url} (${r.from} .. ${r.to}).`;
  }
}
help(ExportInflux, 'export influx');
