/**
 * Progress rendering of core events on stderr: a live listr2 view on a terminal, plain timestamped
 * lines otherwise (CI logs, pipes). stdout is left to the data.
 */
import type { CbEvent, EventSink } from '@cloud-barista/core';

export interface Progress {
  sink: EventSink;
  /** Ends the live view (success or failure). */
  stop(failed?: boolean): Promise<void>;
}

export function describeEvent(e: CbEvent): string {
  switch (e.type) {
    case 'phase':
      return `[${e.mcis}] ${e.phase}: ${e.message}`;
    case 'resource':
      return `[${e.connection}] ${e.kind} ${e.state}${e.message ? `: ${e.message}` : ''}`;
    case 'vm':
      return `[${e.mcis}/${e.vm}] ${e.status} (${e.step})${e.message ? ` ${e.message}` : ''}`;
    case 'failover':
      return `[${e.mcis}] failover of ${e.subgroup}: ${e.from} → ${e.to}: ${e.message}`;
    case 'transfer':
      return `[${e.mcis}/${e.vm}] ${transferred(e)}`;
    case 'warning':
      return `warning: ${e.message}`;
  }
}

export function plainProgress(out: NodeJS.WritableStream = process.stderr): Progress {
  return {
    sink: (e) => {
      // In a log, a copy says once per VM that it is done, not once per file.
      if (e.type === 'transfer' && e.files < e.totalFiles) return;
      out.write(`${new Date().toISOString().slice(11, 19)} ${describeEvent(e)}\n`);
    },
    stop: async () => {},
  };
}

/** One listr2 task whose output is a line per VM and per connection, updated in place. */
export async function ttyProgress(title: string): Promise<Progress> {
  const { DefaultRenderer, Listr, ListrLogger, ProcessOutput } = await import('listr2');
  // listr2 picks its live renderer by stdout's TTY and otherwise falls back to one that prints on
  // stdout: `create > out.txt` on a terminal filled the file with frames. We choose by stderr.
  class StderrRenderer extends DefaultRenderer {
    static override nonTTY = true;
  }
  const lines = new Map<string, string>();
  let phase = '';
  let update: (() => void) | undefined;
  let finish: ((failed: boolean) => void) | undefined;
  const finished = new Promise<boolean>((resolve) => (finish = resolve));
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          update = () => {
            task.title = phase ? `${title}: ${phase}` : title;
            task.output = [...lines.values()].join('\n');
          };
          if (await finished) throw new Error('failed');
        },
        rendererOptions: { outputBar: true, persistentOutput: true },
      },
    ],
    { renderer: StderrRenderer, exitOnError: false, rendererOptions: { collapseErrors: false, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) } },
  );
  const running = list.run().catch(() => undefined);
  return {
    sink: (e) => {
      if (e.type === 'phase') phase = e.message;
      else if (e.type === 'vm') lines.set(`vm:${e.vm}`, `${e.vm.padEnd(16)} ${e.status.padEnd(11)} ${e.step}${e.message ? `  ${e.message}` : ''}`);
      else if (e.type === 'resource') lines.set(`res:${e.connection}:${e.kind}`, `${e.connection} ${e.kind}: ${e.state}`);
      else if (e.type === 'transfer') lines.set(`vm:${e.vm}`, `${e.vm.padEnd(16)} ${transferred(e)}`);
      else if (e.type === 'failover') lines.set(`failover:${e.subgroup}`, `failover ${e.subgroup}: ${e.from} → ${e.to} (${e.code})`);
      else lines.set(`warn:${lines.size}`, `warning: ${e.message}`);
      update?.();
    },
    stop: async (failed = false) => {
      finish?.(failed);
      await running;
    },
  };
}

function transferred(e: Extract<CbEvent, { type: 'transfer' }>): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return `${e.files}/${e.totalFiles} files, ${mb(e.bytes)}/${mb(e.totalBytes)}`;
}
