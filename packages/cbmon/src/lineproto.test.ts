import { describe, expect, it } from 'vitest';
import { formatLine, LineProtocolError, parseLine, timestampToMs } from './lineproto.js';
import { WEB_1_TAGS } from '../../../test-support/fixtures.js';

describe('parseLine', () => {
  it('reads what the agent writes', () => {
    const p = parseLine(
      'disk,ns=default,mcis=web,vm=web-1,csp=aws,region=ap-northeast-2,subgroup=web,mount=/,device=/dev/vda disk_utilization=21.72,disk_total=270553174016,seq=3i 1795760673584292578',
    );
    expect(p).toEqual({
      measurement: 'disk',
      tags: {
        ...WEB_1_TAGS,
        mount: '/',
        device: '/dev/vda',
      },
      fields: { disk_utilization: 21.72, disk_total: 270553174016, seq: 3 },
      timestamp: '1795760673584292578',
    });
  });

  it('handles escapes, booleans, strings, unsigned and a missing timestamp', () => {
    const p = parseLine(
      'my\\ m,mount=/mnt/my\\ disk,k\\=x=a\\,b up=t,down=False,name="x \\" y",n=7u,f=-1.5e3',
    );
    expect(p).toEqual({
      measurement: 'my m',
      tags: { mount: '/mnt/my disk', 'k=x': 'a,b' },
      fields: { up: 1, down: 0, n: 7, f: -1500 },
    });
  });

  it('skips comments and blank lines', () => {
    expect(parseLine('#cbmon mark seq=4')).toBeNull();
    expect(parseLine('   ')).toBeNull();
  });

  it.each([
    ['cpu', /expected a space/],
    ['cpu value=', /bad value ''/],
    ['cpu,host value=1', /tag key=value/],
    ['cpu value=abc', /bad value 'abc'/],
    ['cpu value=1 12x', /bad timestamp/],
    ['cpu s="open', /unterminated/],
    [',x=1 v=1', /missing measurement/],
  ])('rejects %j', (line, msg) => {
    expect(() => parseLine(line)).toThrow(LineProtocolError);
    expect(() => parseLine(line)).toThrow(msg);
  });

  it('round-trips through formatLine', () => {
    const p = {
      measurement: 'net',
      tags: { vm: 'a b', interface: 'eth0' },
      fields: { bytes_in: 12.5, pkts_in: 3 },
      timestamp: '1700000000000000000',
    };
    expect(parseLine(formatLine(p))).toEqual(p);
    expect(formatLine(p)).toBe('net,interface=eth0,vm=a\\ b bytes_in=12.5,pkts_in=3 1700000000000000000');
  });
});

describe('timestampToMs', () => {
  it('is exact beyond 2^53', () => {
    expect(timestampToMs('1795760673584292578')).toBe(1795760673584);
    expect(timestampToMs('1795760673584', 'ms')).toBe(1795760673584);
    expect(timestampToMs('1795760673', 's')).toBe(1795760673000);
    expect(timestampToMs('1795760673584292', 'us')).toBe(1795760673584);
  });
});
