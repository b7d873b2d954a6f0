import { Flags } from '@oclif/core';
import { BaseCommand, timerDurationOf } from '../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../cli/flags.js';
import { help } from '../cli/help.js';

export default class Watch extends BaseCommand<typeof Watch> {
  static override args = mcisArgs;
  static override flags = {
    ...vmScopeFlags,
    refresh: Flags.string({ summary: 'Redraw every …', default: '1s' }),
    duration: Flags.string({ summary: 'Stop after this long.' }),
  };

  protected async execute(): Promise<undefined> {
    const refreshMs = Math.max(200, (await timerDurationOf(this.flags.refresh, '--refresh'))!);
    const durationMs = await timerDurationOf(this.flags.duration, '--duration');
    const { runLive } = await import('../live.js');
    const { WatchModel, renderFrame } = await import('../cli/watch-view.js');
    const { core, targets } = await this.liveTargets();
    const model = new WatchModel(
      this.args.mcis,
      targets.map((t) => t.ref.vm),
    );
    const json = this.format === 'json';
    const tty = !json && process.stdout.isTTY === true;
    const draw = () => {
      const frame = model.frame();
      if (json) process.stdout.write(`${JSON.stringify(frame)}\n`);
      else process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : ''}${renderFrame(frame)}${tty ? '' : '\n'}`);
    };
    const timer = setInterval(draw, refreshMs);
    try {
      await runLive({
        core,
        targets,
        signal: this.stopSignal(durationMs),
        backlog: 30,
        onSample: (s) => model.add(s),
        onState: (vm, state, detail) => {
          // 'done' without a reason is just the end of the watch: keep showing the last state.
          if (state === 'done' && !detail) return;
          model.state(
            vm,
            state === 'done'
              ? `error: ${detail}`
              : state === 'retrying'
                ? `retrying: ${detail ?? ''}`
                : state,
          );
        },
      });
    } finally {
      clearInterval(timer);
    }
    draw();
    return undefined;
  }
}
help(Watch, 'watch');
