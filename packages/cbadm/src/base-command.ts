/**
 * The base every cbadm command extends. Output (`--json`, `--output table|json|yaml`) and the
 * error → exit-code mapping (docs/DESIGN.md §4) are the contract both CLIs share (@cloud-barista/cli-kit);
 * this adds the core, opened lazily, and progress rendering to stderr. Commands stay thin: parse,
 * call one core service, return a result and say how to show it as a table.
 */
import type { Command } from '@oclif/core';
import { CliCommand } from '@cloud-barista/cli-kit/command';
import type { EventSink } from '@cloud-barista/core';
import { OperationError, ProviderError, UsageError } from '@cloud-barista/core/errors';
import type { Progress } from './progress.js';
import type { CoreHandle } from './core.js';

export type { CmdArgs, CmdFlags } from '@cloud-barista/cli-kit/command';

/** What a shell reports for a process SIGPIPE ended (128 + 13). */
const CLOSED_STDOUT_EXIT = 141;

export abstract class BaseCommand<T extends typeof Command> extends CliCommand<T> {
  private coreHandle: CoreHandle | undefined;
  private live: Progress | undefined;

  override async init(): Promise<void> {
    // `cbadm … | head` closes stdout when the reader has enough: end at once, silently, as a tool
    // SIGPIPE stops does (exit 141, so `set -o pipefail` scripts see the cut), not as a crash or as
    // a write failure blamed on every VM.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(CLOSED_STDOUT_EXIT);
      throw e;
    });
    await super.init();
  }

  // The live view must be gone before data reaches stdout.
  protected override async beforeOutput(): Promise<void> {
    await this.live?.stop(false);
    this.live = undefined;
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
   * Progress goes to stderr (never stdout, which carries data): live when stderr is a terminal
   * (under --json too: a person is watching), plain lines in logs, none in logs under --json unless
   * CB_PROGRESS is set.
   */
  protected async progress(title: string): Promise<EventSink> {
    const live = process.stderr.isTTY === true && !process.env.CI;
    if (this.format === 'json' && !live && !process.env.CB_PROGRESS) return () => {};
    const { plainProgress, ttyProgress } = await import('./progress.js');
    this.live = live ? await ttyProgress(title) : plainProgress();
    return this.live.sink;
  }

  /** A person can answer: stdin and stderr are a terminal, and the output is not for a program. */
  protected get canAsk(): boolean {
    return process.stdin.isTTY === true && process.stderr.isTTY === true && this.format !== 'json';
  }

  /** Asks on the terminal (stderr) for a secret; what is typed is not shown. */
  protected async askSecret(message: string): Promise<string> {
    const { password } = await import('@inquirer/prompts');
    const value = await password({ message, validate: (v) => (v.trim() ? true : 'may not be empty') }, { output: process.stderr }).catch((e: unknown) => {
      if (e instanceof Error && e.name === 'ExitPromptError') throw new OperationError('Cancelled: nothing was stored.');
      throw e;
    });
    return value.trim();
  }

  /**
   * The one rule for destructive commands: `--yes` (or a flag that already says so) goes ahead; on a
   * terminal (stdin and stderr), outside --json, the user sees what will go and is asked; anywhere
   * else the command refuses (exit 2) rather than guess.
   */
  protected async confirm(opts: { action: string; items: string[]; confirmed: boolean }): Promise<void> {
    if (opts.confirmed) return;
    if (!this.canAsk) {
      throw new UsageError(`${opts.action} needs confirmation, and cbadm asks only on a terminal (without --json)`, {
        hint: `add --yes (-y) to ${opts.action}`,
      });
    }
    const { stderrChalk } = await import('@cloud-barista/cli-kit/colour');
    process.stderr.write(`${stderrChalk().yellow(`This will ${opts.action}:`)}\n${opts.items.map((i) => `  ${i}`).join('\n')}\n`);
    const { confirm } = await import('@inquirer/prompts');
    const ok = await confirm({ message: 'Go ahead?', default: false }, { output: process.stderr }).catch((e: unknown) => {
      // Ctrl-C or a closed terminal is a "no".
      if (e instanceof Error && e.name === 'ExitPromptError') return false;
      throw e;
    });
    if (!ok) throw new OperationError(`Cancelled: did not ${opts.action}.`);
  }

  // A refused twin endpoint says how to start the twin (the drivers only say which endpoint refused).
  override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof ProviderError && err.code === 'ECONNREFUSED' && err.endpoint) {
      const { withTwinDownHint } = await import('./twin/hint.js');
      const { readTwinInfo } = await import('./twin/control.js');
      const core = await this.core().catch(() => undefined);
      const hinted = core && withTwinDownHint(err, core.connections.list(), readTwinInfo(core.home.twin) !== undefined);
      if (hinted) return super.catch(hinted);
    }
    return super.catch(err);
  }

  override async finally(err: Error | undefined): Promise<void> {
    await this.live?.stop(err !== undefined);
    await this.coreHandle?.close();
    await super.finally(err);
  }
}
