import { Flags } from '@oclif/core';
import type { BenchmarkResult } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nameArgs, nsFlag } from '../../flags.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

export default class McisBenchmark extends BaseCommand<typeof McisBenchmark> {
  static override args = nameArgs;
  static override flags = { ns: nsFlag, timeout: Flags.integer({ summary: 'Per-VM timeout in seconds.', default: 180 }) };

  protected async execute(): Promise<BenchmarkResult> {
    const { mcis } = await this.core();
    return mcis.benchmark({ ns: this.flags.ns, name: this.args.name, timeoutMs: this.flags.timeout * 1000, events: await this.progress(`benchmark ${this.args.name}`) });
  }

  protected override table(r: BenchmarkResult): string {
    const n = (x: number | null, unit = '') => (x === null ? null : `${x.toLocaleString('en-US')}${unit}`);
    const vms = makeTable(
      ['VM', 'REGION', 'SPEC', 'VCPU', 'CPU OPS/S (1)', 'CPU OPS/S (ALL)', 'MEM MB/S', 'DISK MB/S', 'RTT FROM HERE', 'ERROR'],
      r.vms.map((v) => [v.vm, `${v.provider}/${v.region}`, v.spec, v.vcpu, n(v.cpuSingleOps), n(v.cpuMultiOps), n(v.memMBps), n(v.diskMBps), n(v.clientRttMs, ' ms'), v.error]),
    );
    const rtt = makeTable(
      ['RTT MS FROM \\ TO', ...r.rtt.vms],
      r.rtt.vms.map((from, i) => [from, ...r.rtt.matrixMs[i]!.map((x, j) => (i === j ? '·' : x === null ? null : x.toFixed(2)))]),
    );
    return `Benchmark of MCIS ${r.ns}/${r.mcis} at ${r.measuredAt}\n${vms}\nTCP connect RTT between VMs (best of 5):\n${rtt}\nStored for ${r.stored.length} provider/region/spec combination(s): see \`cbadm recommend --priority performance\`.`;
  }
}
help(McisBenchmark, 'mcis benchmark');
