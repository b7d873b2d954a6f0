/**
 * The base every cbmon command extends. Output (`--json` / `--output`) and the one catch that maps
 * typed errors to exit codes (docs/DESIGN.md §4) are the contract both CLIs share
 * (@cloud-barista/cli-kit); this adds progress on stderr and the core and metrics store opened
 * lazily, so `cbmon --version` and `--help` stay fast.
 */
import type { Command } from '@oclif/core';
import { CliCommand } from '@cloud-barista/cli-kit/command';
import { selector } from '@cloud-barista/cli-kit/flags';
import type { Core } from '@cloud-barista/core';
import type { MonTarget } from '@cloud-barista/agent/targets';
import type { Mon } from '../mon.js';
import type { VmScope } from '../scope.js';

export type { CmdArgs, CmdFlags } from '@cloud-barista/cli-kit/command';

export abstract class BaseCommand<T extends typeof Command> extends CliCommand<T> {
  // Partial success: what worked is data, so it goes to stdout like a full result would.
  protected override readonly partialResultTo = 'stdout';
  private monHandle: Mon | undefined;
  private readonly stopController = new AbortController();

  /** The core and the metrics store, opened on first use. */
  protected async mon(): Promise<Mon> {
    if (!this.monHandle) {
      const { openMon } = await import('../mon.js');
      this.monHandle = openMon();
    }
    return this.monHandle;
  }

  /** The MCIS argument and the --ns/--subgroup/--vm flags, with the core and store opened. */
  protected async vmScope(): Promise<VmScope> {
    const flags = this.flags as { ns: string; subgroup?: string; vm?: string };
    const { core, store } = await this.mon();
    return { core, store, ns: flags.ns, mcis: (this.args as { mcis: string }).mcis, selector: selector(flags) };
  }

  /** The scope's VMs as the agents are reached (stream, watch: straight over SSH). */
  protected async liveTargets(): Promise<{ core: Core; targets: MonTarget[] }> {
    const { selectTargets } = await import('@cloud-barista/agent/targets');
    const s = await this.vmScope();
    return { core: s.core, targets: selectTargets(s.core, s.ns, s.mcis, s.selector) };
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

  override async finally(err: Error | undefined): Promise<void> {
    await this.monHandle?.close();
    await super.finally(err);
  }
}

/** Parses a duration flag, or returns undefined when it was not given. */
export async function durationOf(text: string | undefined, flag: string): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseDuration } = await import('@cloud-barista/agent/duration');
  return parseDuration(text, flag);
}

/** A duration flag a timer waits for (`--duration`, `--evaluate-every`, `--refresh`): at most ~24.8 days. */
export async function timerDurationOf(text: string | undefined, flag: string): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseTimerDuration } = await import('@cloud-barista/agent/duration');
  return parseTimerDuration(text, flag);
}
