/**
 * The base every cbadm command extends. It owns output (`--json`, `--output table|json|yaml`),
 * the error → exit-code mapping (DESIGN.md §4), and progress rendering to stderr. Commands stay
 * thin: parse, call one core service, return a result and say how to show it as a table.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import type { EventSink } from '@cloud-barista/core';
import type { Progress } from './progress.js';
import type { CoreHandle } from './core.js';
import { renderError, renderResult, type OutputFormat } from './render.js';

export type CmdFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
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
    verbose: Flags.boolean({ env: 'CB_VERBOSE', summary: 'Show stack traces and debug detail on errors.', helpGroup: 'GLOBAL' }),
  };

  protected flags!: CmdFlags<T>;
  protected args!: CmdArgs<T>;
  private coreHandle: CoreHandle | undefined;

  /** Does the work; returns the data printed on stdout. */
  protected abstract execute(): Promise<unknown>;

  /** Human rendering of the result; default: YAML-ish key/value dump. */
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
    // Before flags parse (a usage error), fall back to argv so errors still come out as JSON.
    if (this.argv.includes('--json') || process.env.CB_OUTPUT === 'json') return 'json';
    return 'table';
  }

  // We print results ourselves (one place for every format), so oclif's own JSON printing is off.
  override jsonEnabled(): boolean {
    return false;
  }

  override async run(): Promise<void> {
    const result = await this.execute();
    // The live view must be gone before data reaches stdout.
    await this.live?.stop(false);
    this.live = undefined;
    if (result !== undefined) process.stdout.write(renderResult(result, this.format, (r) => this.table(r)));
  }

  /** Lazily opens the core (store, services): `cbadm --version` and `--help` never pay for it. */
  protected async core(): Promise<CoreHandle> {
    if (!this.coreHandle) {
      const { openCliCore } = await import('./core.js');
      this.coreHandle = await openCliCore();
    }
    return this.coreHandle;
  }

  /**
   * Progress goes to stderr (never stdout, which carries data): live on a terminal, plain lines in
   * logs, none under --json unless CB_PROGRESS is set.
   */
  protected async progress(title: string): Promise<EventSink> {
    if (this.format === 'json' && !process.env.CB_PROGRESS) return () => {};
    const { plainProgress, ttyProgress } = await import('./progress.js');
    this.live = process.stderr.isTTY && !process.env.CI ? await ttyProgress(title) : plainProgress();
    return this.live.sink;
  }

  private live: Progress | undefined;

  override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    const { code, text } = renderError(err, this.format, Boolean((this.flags as { verbose?: boolean } | undefined)?.verbose));
    if (this.format === 'json') process.stdout.write(text);
    else process.stderr.write(text);
    process.exitCode = code;
  }

  override async finally(err: Error | undefined): Promise<void> {
    await this.live?.stop(err !== undefined);
    await this.coreHandle?.close();
    await super.finally(err);
  }
}
