/**
 * The base every cbmon command extends (the same contract as cbadm's): `--json` / `--output`, one
 * catch that maps typed errors to exit codes (DESIGN.md §4), progress on stderr, and the core and
 * metrics store opened lazily so `cbmon --version` and `--help` stay fast.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { PartialError } from '@cloud-barista/core/errors';
import type { Mon } from '../mon.js';
import { renderError, renderResult, type OutputFormat } from './render.js';

export type CmdFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type CmdArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    output: Flags.option({
      char: 'o',
      options: ['table', 'json', 'yaml'] as const,
      env: 'CB_OUTPUT',
      summary: 'Output format.',
      helpGroup: 'GLOBAL',
    })(),
    verbose: Flags.boolean({
      env: 'CB_VERBOSE',
      summary: 'Show stack traces and debug detail on errors.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CmdFlags<T>;
  protected args!: CmdArgs<T>;
  private monHandle: Mon | undefined;
  private readonly stopController = new AbortController();

  /** Does the work; returns the data printed on stdout (undefined when the command printed as it went). */
  protected abstract execute(): Promise<unknown>;

  /** Human rendering of the result; default: YAML. */
  protected table(result: unknown): string | undefined {
    void result;
    return undefined;
  }

  override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof BaseCommand;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as CmdFlags<T>;
    this.args = args as CmdArgs<T>;
  }

  protected get format(): OutputFormat {
    const f = this.flags as { json?: boolean; output?: OutputFormat } | undefined;
    if (f?.json) return 'json';
    if (f?.output) return f.output;
    if (this.argv.includes('--json') || process.env.CB_OUTPUT === 'json') return 'json';
    return 'table';
  }

  override jsonEnabled(): boolean {
    return false;
  }

  override async run(): Promise<void> {
    const result = await this.execute();
    if (result !== undefined) process.stdout.write(renderResult(result, this.format, (r) => this.table(r)));
  }

  /** The core and the metrics store, opened on first use. */
  protected async mon(): Promise<Mon> {
    if (!this.monHandle) {
      const { openMon } = await import('../mon.js');
      this.monHandle = openMon();
    }
    return this.monHandle;
  }

  /** Aborts on SIGINT/SIGTERM, a closed stdout, and after `durationMs`: long-running commands end cleanly with exit 0. */
  protected stopSignal(durationMs?: number): AbortSignal {
    const stop = () => this.stopController.abort(new Error('stopped'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // `cbmon stream … | head` closes our stdout: that is the reader saying "enough", not a crash.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') stop();
    });
    if (durationMs !== undefined) setTimeout(stop, durationMs).unref();
    return this.stopController.signal;
  }

  /** Progress and diagnostics: stderr, never stdout (which carries data). */
  protected note(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    // Partial success: what worked is data, so it goes to stdout like a full result would.
    if (err instanceof PartialError && err.result !== undefined && this.format !== 'json') {
      process.stdout.write(renderResult(err.result, this.format, (r) => this.table(r)));
    }
    const { code, text } = renderError(
      err,
      this.format,
      Boolean((this.flags as { verbose?: boolean } | undefined)?.verbose),
    );
    if (this.format === 'json') process.stdout.write(text);
    else process.stderr.write(text);
    process.exitCode = code;
  }

  override async finally(err: Error | undefined): Promise<void> {
    await this.monHandle?.close();
    await super.finally(err);
  }
}

/** Parses a duration flag, or returns undefined when it was not given. */
export async function durationOf(text: string | undefined, flag: string): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseDuration } = await import('../duration.js');
  return parseDuration(text, flag);
}
