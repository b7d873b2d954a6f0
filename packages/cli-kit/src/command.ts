/**
 * The command contract cbadm and cbmon keep with their users (docs/DESIGN.md §4): `--json` and
 * `--output table|json|yaml` (CB_OUTPUT), `--verbose` (CB_VERBOSE), results on stdout in the chosen
 * format, one catch that maps core's typed errors to exit codes, diagnostics on stderr. Each CLI's
 * own base command extends this with what opens its state (the core, the metrics store) lazily, so
 * `--version` and `--help` never pay for it.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { isCbError, PartialError } from '@cloud-barista/core/errors';
import { renderError, renderResult, setWideTables, type OutputFormat } from './render.js';

export type CmdFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof CliCommand)['baseFlags'] & T['flags']
>;
export type CmdArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * oclif quotes a mistyped flag with its value (`Nonexistent flag: --secret-acess-key=…`), and the
 * value may be a secret: every `--flag=value` and `-xVALUE` word of argv is shown without its value
 * in the error's message and stack.
 */
export function maskFlagValues<E>(err: E, argv: string[]): E {
  if (!(err instanceof Error)) return err;
  const masked = argv.flatMap((word): Array<[string, string]> => {
    if (word.startsWith('--') && word.includes('=')) return [[word, `${word.slice(0, word.indexOf('=') + 1)}***`]];
    if (/^-[A-Za-z]./.test(word) && !word.startsWith('--')) return [[word, `${word.slice(0, 2)}***`]];
    return [];
  });
  const mask = (text: string) => masked.reduce((t, [word, shown]) => t.split(word).join(shown), text);
  err.message = mask(err.message);
  if (err.stack) err.stack = mask(err.stack);
  return err;
}

export abstract class CliCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    output: Flags.option({
      char: 'o',
      options: ['table', 'wide', 'json', 'yaml'] as const,
      env: 'CB_OUTPUT',
      summary: 'Output format (wide: a table with every id whole).',
      helpGroup: 'GLOBAL',
    })(),
    'no-color': Flags.boolean({
      summary: 'No colour (also NO_COLOR=1; there is none anyway when the output is not a terminal).',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({
      env: 'CB_VERBOSE',
      summary: 'Show stack traces and debug detail on errors.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CmdFlags<T>;
  protected args!: CmdArgs<T>;

  /**
   * Where a PartialError's result goes for people (under --json it is always in the error payload
   * on stdout): 'stderr' prints it as YAML above the error message, 'stdout' renders it like a full
   * result (what worked is data).
   */
  protected readonly partialResultTo: 'stderr' | 'stdout' = 'stderr';

  /** Does the work; returns the data printed on stdout (undefined when the command printed as it went). */
  protected abstract execute(): Promise<unknown>;

  /** Human rendering of the result; default (undefined): YAML. */
  protected table(result: unknown): string | undefined {
    void result;
    return undefined;
  }

  /** Runs after execute() and before the result reaches stdout (e.g. to clear a live progress view). */
  protected async beforeOutput(): Promise<void> {}

  override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof CliCommand;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: (super.ctor as typeof CliCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    }).catch((e: unknown) => {
      // oclif words a flag's parse error as 'Parsing --x \n\t… See more help': ours names the flag already.
      if (isCbError(e)) e.message = e.message.replace(/^Parsing --[\w-]+ \n\t/, '').replace(/\nSee more help with --help$/, '');
      throw maskFlagValues(e, this.argv);
    });
    this.flags = flags as CmdFlags<T>;
    this.args = args as CmdArgs<T>;
    setWideTables((flags as { output?: string }).output === 'wide');
  }

  protected get format(): OutputFormat {
    const f = this.flags as { json?: boolean; output?: OutputFormat | 'wide' } | undefined;
    if (f) return f.json ? 'json' : f.output === 'wide' ? 'table' : (f.output ?? 'table');
    // Before flags parse (a usage error), fall back to argv so errors still come out as JSON; words
    // after `--` belong to a remote command (`mcis exec web -- cmd --json`), not to us.
    const end = this.argv.indexOf('--');
    if ((end < 0 ? this.argv : this.argv.slice(0, end)).includes('--json') || process.env.CB_OUTPUT === 'json') return 'json';
    return 'table';
  }

  // We print results ourselves (one place for every format), so oclif's own JSON printing is off.
  override jsonEnabled(): boolean {
    return false;
  }

  override async run(): Promise<void> {
    const result = await this.execute();
    await this.beforeOutput();
    if (result !== undefined) process.stdout.write(renderResult(result, this.format, (r) => this.table(r)));
  }

  override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    const toStdout = this.partialResultTo === 'stdout';
    if (toStdout && err instanceof PartialError && err.result !== undefined && this.format !== 'json') {
      process.stdout.write(renderResult(err.result, this.format, (r) => this.table(r)));
    }
    const verbose = Boolean((this.flags as { verbose?: boolean } | undefined)?.verbose);
    const { code, text } = renderError(err, this.format, verbose, { partialResult: !toStdout });
    if (this.format === 'json') process.stdout.write(text);
    else process.stderr.write(text);
    process.exitCode = code;
  }
}
