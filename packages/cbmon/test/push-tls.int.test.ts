/**
 * Push over TLS from real agents on twin VM SSH servers: the collector's self-signed key pinned by
 * curl on the VM, a wrong pin refused by the agent, and the token on no process's command line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgents } from '@cloud-barista/agent/install';
import type { Collector } from '../src/collector/collector.js';
import { selfSignedTls } from '../src/collector/tls.js';
import { VmFixture } from './vm-fixture.js';
import { until } from './procs.js';

const fx = new VmFixture();
const MCIS = 'tls';
let collector: Collector;
let pushUrl = '';
let pin = '';

const stored = (vm: string) =>
  [...fx.mon.store.samplesBetween({ mcis: MCIS, vms: [vm] }, 0, Date.now() + 60_000)].length;

/** Every command line on this machine (the twin VMs' processes are real processes here). */
function commandLines(): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      out.push(readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // gone
    }
  }
  return out;
}

beforeAll(async () => {
  await fx.start(MCIS, [
    { name: 'good-1', subgroup: 'good' },
    { name: 'bad-1', subgroup: 'bad' },
  ]);
  const tls = selfSignedTls(fx.home);
  pin = tls.pin;
  expect((statSync(join(fx.home, 'cbmon', 'tls', 'key.pem')).mode & 0o777).toString(8)).toBe('600');
  collector = fx.collector({ listen: { host: '127.0.0.1', port: 0, tls } });
  pushUrl = (await collector.start()).pushUrl!;
});
afterAll(() => fx.dispose());

describe('push over TLS', () => {
  it('serves https and refuses plain http', async () => {
    expect(pushUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/write$/);
    await expect(fetch(pushUrl.replace('https:', 'http:'), { method: 'POST', body: 'x' })).rejects.toThrow();
  });

  it('an agent pinning the collector key pushes; the token is on no command line', async () => {
    const r = await installAgents({
      ...fx.scope({ subgroup: 'good' }),
      intervalMs: 1000,
      push: pushUrl,
      pushPin: pin,
    });
    expect(r.vms[0]).toMatchObject({ ok: true, status: { mode: 'push' } });
    const token = fx.mon.store.pushToken('default', MCIS, 'good-1');
    let looks = 0;
    await until(
      () => {
        looks++;
        expect(commandLines().filter((c) => c.includes(token))).toEqual([]);
        return stored('good-1') >= 3;
      },
      30_000,
      'pushed samples over TLS',
    );
    expect(looks).toBeGreaterThan(5);
    const rc = join(fx.vm('good-1').home, '.cbmon', 'push.curlrc');
    expect((statSync(rc).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(rc, 'utf8')).toContain(`pinnedpubkey = "${pin}"`);
  });

  it('an agent given another key pin refuses to talk to the collector', async () => {
    const other = `sha256//${Buffer.alloc(32, 7).toString('base64')}`;
    const r = await installAgents({
      ...fx.scope({ subgroup: 'bad' }),
      intervalMs: 1000,
      push: pushUrl,
      pushPin: other,
    });
    expect(r.vms[0]).toMatchObject({ ok: true });
    const log = join(fx.vm('bad-1').home, '.cbmon', 'agent.log');
    await until(
      () => {
        try {
          return /public key does not match pinned public key/.test(readFileSync(log, 'utf8'));
        } catch {
          return false;
        }
      },
      20_000,
      'the pin mismatch in the agent log',
    );
    expect(stored('bad-1')).toBe(0);
  });
});
