/**
 * The base every cbadm command extends. Output (`--json`, `--output table|json|yaml`) and the
 * error → exit-code mapping (DESIGN.md §4) are the contract both CLIs share (@cloud-barista/cli-kit);
 * this adds the core, opened lazily, and progress rendering to stderr. Commands stay thin: parse,
 * call one core service, return a result and say how to show it as a table.
 */
import type { Command } from '@oclif/core';
import { CliCommand } from '@cloud-barista/cli-kit/command';
import type { EventSink } from '@cloud-barista/core';
import type { Progress } from './progress.js';
import type { CoreHandle } from './core.js';

export type { CmdArgs, CmdFlags } from '@cloud-barista/cli-kit/command';

export abstract class BaseCommand<T extends typeof Command> extends CliCommand<T> {
  private coreHandle: CoreHandle | undefined;
  private live: Progress | undefined;

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

  override async finally(err: Error | undefined): Promise<void> {
    await this.live?.stop(err !== undefined);
    await this.coreHandle?.close();
    await super.finally(err);
  }
}
