import { Flags } from '@oclif/core';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../base-command.js';
import { renderConnectionTest } from '../connection-render.js';
import type { CloudInitResult } from '../init/cloud-path.js';
import type { TwinInitResult } from '../init/twin-path.js';
import { help, WITHOUT_QUESTIONS } from '../help.js';

type Result = TwinInitResult | CloudInitResult;

export default class Init extends BaseCommand<typeof Init> {
  static override flags = {
    endpoint: Flags.string({ summary: 'API endpoint of the connection (a private cloud, or Cloud-Twin); default: the public cloud.' }),
  };

  protected async execute(): Promise<Result> {
    if (!this.canAsk) {
      throw new UsageError('cbadm init asks questions, and asks only on a terminal (without --json)', {
        hint: `run the steps as commands instead: ${WITHOUT_QUESTIONS.join('; ')}`,
      });
    }
    const { choose } = await import('../init/ask.js');
    const { driverRegistry } = await import('@cloud-barista/drivers');
    const core = await this.core();
    const path = await choose('What do you want to connect to?', [
      { value: 'twin', name: 'Cloud-Twin, the local cloud emulator (no account needed)', description: 'cbadm twin up && cbadm twin connect' },
      { value: 'cloud', name: 'A cloud account (AWS, Google Cloud, Azure)', description: 'credential, connection, connection test' },
    ]);
    if (path === 'twin') return (await import('../init/twin-path.js')).initTwin(core);
    return (await import('../init/cloud-path.js')).initCloud(core, driverRegistry.providers(), { ...(this.flags.endpoint ? { endpoint: this.flags.endpoint } : {}) });
  }

  protected override table(r: Result): string {
    if (r.path === 'twin') {
      return [`Cloud-Twin is running (aws endpoint ${r.endpoints.aws ?? '?'}); ${r.connections.length} connections: ${r.connections.slice(0, 3).join(', ')}${r.connections.length > 3 ? ', …' : ''}.`, 'Next: cbadm mcis create -f examples/quickstart.yaml'].join('\n');
    }
    return `${renderConnectionTest(r.test)}Next: cbadm catalog update --connection ${r.connection}, then cbadm mcis create -f MANIFEST (subgroups with connection: ${r.connection})`;
  }
}
help(Init, 'init');
