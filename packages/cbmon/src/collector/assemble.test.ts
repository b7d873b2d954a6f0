import { describe, expect, it } from 'vitest';
import type { VmRef } from '@cloud-barista/agent/sample';
import { MAX_LINE_BYTES, MAX_PENDING_SAMPLES, StreamAssembler, type AssemblerEvent } from './assemble.js';

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

describe('StreamAssembler bounds', () => {
  it('drops an endless line at 1 MiB: one bad line, an overflow, nothing more buffered', () => {
    const events: AssemblerEvent[] = [];
    const a = new StreamAssembler(ref, (e) => events.push(e));
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 64; i++) {
      a.push(chunk);
      expect(a.bufferedBytes).toBeLessThanOrEqual(MAX_LINE_BYTES + chunk.length);
    }
    expect(events.map((e) => e.type)).toEqual(['bad-line', 'overflow']);
    expect(a.bufferedBytes).toBe(0);
  });

  it('hangs up when samples pile up without a mark', () => {
    const events: AssemblerEvent[] = [];
    const a = new StreamAssembler(ref, (e) => events.push(e));
    for (let seq = 1; seq <= MAX_PENDING_SAMPLES + 5; seq++)
      a.push(`cpu,${TAGS} cpu_utilization=1,seq=${seq}i ${1700000000000 + seq}000000\n`);
    expect(events.map((e) => e.type)).toEqual(['overflow']);
    expect(a.pendingCount).toBe(0);
  });

  it('reports points with names or tag values it will not store as bad lines', () => {
    const events: AssemblerEvent[] = [];
    const a = new StreamAssembler(ref, (e) => events.push(e));
    a.push(`cpu,${TAGS},1bad=x cpu_utilization=1,seq=1i 1\ncpu,${TAGS},mount=\u001b[2J cpu_utilization=1,seq=1i 1\n`);
    expect(events).toEqual([
      { type: 'bad-line', message: "tag key '1bad' is not a name ([A-Za-z_][A-Za-z0-9_]*)" },
      { type: 'bad-line', message: "tag 'mount' holds control characters" },
    ]);
  });
});
