import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

type FaultState = { faults: Array<{ provider?: string; action: string; code: string; rate: number; latencyMs?: number; region?: string; count?: number }>; outages: string[] };

export default class TwinFault extends BaseCommand<typeof TwinFault> {
  static override strict = false;
  static override args = { spec: Args.string({ description: 'Fault rule(s) to set.' }) };
  static override flags = {
    clear: Flags.boolean({ summary: 'Remove every fault rule.' }),
    outage: Flags.string({ multiple: true, summary: 'Take a region down (every call fails with 503 Unavailable).' }),
    restore: Flags.string({ multiple: true, summary: 'Bring a region back.' }),
  };

  protected async execute(): Promise<FaultState> {
    const { twinAdmin } = await import('../../twin/control.js');
    const call = (method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) => twinAdmin<FaultState>(method, path, body, 'see `cbadm twin fault --help` for the spec syntax');
    const specs = this.argv.filter((a) => !a.startsWith('-') && !(this.flags.outage ?? []).includes(a) && !(this.flags.restore ?? []).includes(a));
    if (this.flags.clear || specs.length) await call('PUT', '/faults', this.flags.clear ? [] : specs);
    for (const region of this.flags.outage ?? []) await call('POST', '/outage', { region, down: true });
    for (const region of this.flags.restore ?? []) await call('POST', '/outage', { region, down: false });
    return call('GET', '/faults');
  }

  protected override table(s: FaultState): string {
    const rules = s.faults.length
      ? makeTable(['ACTION', 'CODE', 'RATE', 'LATENCY MS', 'REGION', 'REMAINING'], s.faults.map((f) => [`${f.provider ? `${f.provider}:` : ''}${f.action}`, f.code || '(latency)', f.rate, f.latencyMs, f.region ?? '(all)', f.count ?? '∞']))
      : 'No fault rules.';
    return `${rules}\nRegions down: ${s.outages.length ? s.outages.join(', ') : 'none'}`;
  }
}
help(TwinFault, 'twin fault');
