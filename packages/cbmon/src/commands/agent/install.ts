import { Flags } from '@oclif/core';
import type { AgentJobResult } from '@cloud-barista/agent/install';
import { BaseCommand, durationOf } from '../../cli/base-command.js';
import { mcisArgs, vmScopeFlags } from '../../cli/flags.js';
import { agentTable } from '../../cli/agent-render.js';
import { help } from '../../cli/help.js';

export default class AgentInstall extends BaseCommand<typeof AgentInstall> {
  static override args = mcisArgs;
  static override flags = {
    ...vmScopeFlags,
    interval: Flags.string({
      summary: 'Sampling interval, whole seconds, 1s or more.',
      default: '5s',
      env: 'CBMON_INTERVAL',
    }),
    ring: Flags.string({
      summary: 'How much the on-disk ring on each VM keeps.',
      default: '1h',
      env: 'CBMON_RING',
    }),
    push: Flags.string({
      summary: 'Push to this collector URL instead of being pulled over SSH.',
      env: 'CBMON_PUSH',
    }),
    'push-pin': Flags.string({
      summary:
        "The collector's key pin (sha256//…) for an https --push with a self-signed certificate (default: this CB_HOME's collector's).",
      env: 'CBMON_PUSH_PIN',
      dependsOn: ['push'],
    }),
  };

  protected async execute(): Promise<AgentJobResult> {
    const { installAgents, assertAllOk } = await import('@cloud-barista/agent/install');
    const intervalMs = (await durationOf(this.flags.interval, '--interval'))!;
    const ringMs = (await durationOf(this.flags.ring, '--ring'))!;
    const r = await installAgents({
      ...(await this.vmScope()),
      intervalMs,
      ringMs,
      ...(this.flags.push ? { push: this.flags.push } : {}),
      ...(this.flags['push-pin'] ? { pushPin: this.flags['push-pin'] } : {}),
      onVm: (v) => this.note(`${v.vm}: ${v.ok ? v.result : `failed: ${v.error}`}`),
    });
    assertAllOk(r, 'agent install');
    return r;
  }

  protected override table(r: AgentJobResult): string {
    return agentTable(r);
  }
}
help(AgentInstall, 'agent install');
