import { describe, expect, it } from 'vitest';
import type { VmRef } from '../sample.js';
import { groupPushed, StreamAssembler, type AssemblerEvent } from './assemble.js';
import { parseLine, type LpPoint } from '../lineproto.js';

const ref: VmRef = { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'r' };
const TAGS = 'ns=default,mcis=web,vm=web-1,csp=aws,region=r,subgroup=web';

describe('StreamAssembler', () => {
  it('completes samples at their mark, whatever the chunking', () => {
    const text = [
      '#cbmon hello version=1.0.0 epoch=e first=1 last=2 since=0 reset=0 interval=1 pid=9',
      `cpu,${TAGS} cpu_utilization=12.5,seq=1i 1700000000123456789`,
      `disk,${TAGS},mount=/,device=/dev/vda disk_utilization=40,seq=1i 1700000000123456789`,
      `cpu,${TAGS} cpu_utilization=13,seq=2i 1700000001123456789`,
      '#cbmon mark seq=1',
      '#cbmon mark seq=2',
      `cpu,${TAGS} cpu_utilization=14,seq=3i 1700000002123456789`,
      '',
    ].join('\n');
    for (const size of [1, 7, 64, text.length]) {
      const events: AssemblerEvent[] = [];
      const a = new StreamAssembler(ref, (e) => events.push(e));
      for (let i = 0; i < text.length; i += size) a.push(text.slice(i, i + size));
      const batches = events.filter((e) => e.type === 'samples');
      expect(batches.map((b) => b.samples.map((s) => s.seq))).toEqual([[1], [2]]);
      const first = batches[0]!.samples[0]!;
      expect(first).toEqual({
        ref,
        seq: 1,
        tsMs: 1700000000123,
        points: [
          { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 12.5 } },
          { measurement: 'disk', tags: { mount: '/', device: '/dev/vda' }, fields: { disk_utilization: 40 } },
        ],
      });
      expect(events[0]).toMatchObject({ type: 'control', control: { type: 'hello', epoch: 'e' } });
      expect(a.pendingCount).toBe(1);
    }
  });

  it('reports bad lines and goes on', () => {
    const events: AssemblerEvent[] = [];
    const a = new StreamAssembler(ref, (e) => events.push(e));
    a.push(
      `cpu,${TAGS} cpu_utilization=oops,seq=1i 1\ncpu,${TAGS} cpu_utilization=1 1\ncpu,${TAGS} cpu_utilization=1,seq=1i 1000000\n#cbmon mark seq=1\n`,
    );
    expect(events.map((e) => e.type)).toEqual(['bad-line', 'bad-line', 'samples', 'control']);
  });
});

describe('groupPushed', () => {
  it('groups by VM and seq, or by time without seq, and counts untagged lines', () => {
    const lines = [
      `cpu,${TAGS} cpu_utilization=1,seq=5i 1700000000000000000`,
      `mem,${TAGS} mem_utilization=2,seq=5i 1700000000000000000`,
      `cpu,${TAGS.replace('web-1', 'web-2')} cpu_utilization=3 1700000000000`,
      'cpu,host=x usage=1 1700000000000',
    ].map((l) => parseLine(l) as LpPoint);
    const { samples, untagged } = groupPushed(lines.slice(0, 2), 'ns', 0);
    expect(untagged).toBe(0);
    expect(samples).toHaveLength(1);
    expect(samples[0]!.points).toHaveLength(2);
    const other = groupPushed(lines.slice(2), 'ms', 0);
    expect(other.untagged).toBe(1);
    expect(other.samples[0]).toMatchObject({ seq: 0, tsMs: 1700000000000, ref: { vm: 'web-2' } });
  });
});
