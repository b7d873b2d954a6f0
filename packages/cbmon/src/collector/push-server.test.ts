/**
 * The push listener against hostile and broken writers, over real HTTP on loopback: the bounds
 * (bytes, lines, line length, lines per second), who may write what, and what a line may say.
 */
import type { Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '@cloud-barista/agent/sample';
import { startPushServer, type PushAgent, type PushLimits } from './push-server.js';

const VMS = new Map([
  ['web-1', { subgroup: 'web', csp: 'aws', region: 'r1' }],
  ['web-2', { subgroup: 'web', csp: 'aws', region: 'r1' }],
  ['db-1', { subgroup: 'db', csp: 'gcp', region: 'r2' }],
]);
const TOKENS: Record<string, string> = { t1: 'web-1', t2: 'web-2', tdb: 'db-1' };
const AGENTS: Record<string, PushAgent> = {
  'web-1': { mode: 'push', intervalS: 1, ringS: 3600 },
  'web-2': { mode: 'push', intervalS: 1, ringS: 3600 },
  'db-1': { mode: 'pull', intervalS: 1, ringS: 3600 },
};

interface Running {
  server: Server | TlsServer;
  url: string;
  accepted: Sample[];
}

async function start(limits: Partial<PushLimits> = {}): Promise<Running> {
  const accepted: Sample[] = [];
  const { server, url } = await startPushServer({
    host: '127.0.0.1',
    port: 0,
    tokenOwner: (t) => (TOKENS[t] ? { ns: 'default', mcis: 'm', vm: TOKENS[t] } : undefined),
    agentOf: (_ns, _mcis, vm) => AGENTS[vm],
    vmsOf: (ns, mcis) => (ns === 'default' && mcis === 'm' ? VMS : undefined),
    accept: (s) => {
      for (const x of s) accepted.push(x);
    },
    log: () => undefined,
    limits,
  });
  return { server, url, accepted };
}

const nowNs = (offsetMs = 0) => `${Date.now() + offsetMs}000000`;
const line = (vm: string, seq: number, extra = '', ts = nowNs()) =>
  `cpu,ns=default,mcis=m,vm=${vm}${extra} cpu_utilization=1,seq=${seq}i ${ts}`;

let r: Running;
beforeAll(async () => {
  r = await start();
});
afterAll(() => {
  r.server.close();
  r.server.closeAllConnections();
});

async function post(
  body: string | Buffer,
  headers: Record<string, string> = { authorization: 'Token t1' },
  url = r.url,
): Promise<{ status: number; message: string; retryAfter: string | null }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return {
    status: res.status,
    message: text ? ((JSON.parse(text) as { message: string }).message ?? '') : '',
    retryAfter: res.headers.get('retry-after'),
  };
}

async function health(url = r.url): Promise<number> {
  return (await fetch(url.replace(/\/write$/, '/health'))).status;
}

describe('push server bounds', () => {
  it('answers 413 to a gzip bomb (300 MB of newlines in ~300 KB) and keeps answering health', async () => {
    const gz = createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on('data', (d: Buffer) => parts.push(d));
    const done = new Promise((resolve) => gz.on('end', resolve));
    const mb = Buffer.alloc(1024 * 1024, '\n');
    for (let i = 0; i < 300; i++) if (!gz.write(mb)) await new Promise((ok) => gz.once('drain', ok));
    gz.end();
    await done;
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await post(bomb, { authorization: 'Token t1', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(res.message).toMatch(/more than \d+ (lines|bytes)/);
    expect(await health()).toBe(204);
    expect(r.accepted).toHaveLength(0);
  });

  it('answers 413 past the byte bound of a plain body, and 400 to broken gzip', async () => {
    const small = await start({ maxBodyBytes: 10_000 });
    try {
      const res = await post(`${line('web-1', 1)}\n`.repeat(1_000), undefined, small.url);
      expect(res.status).toBe(413);
      expect(await health(small.url)).toBe(204);
    } finally {
      small.server.close();
    }
    const bad = await post(Buffer.from('not gzip at all'), { authorization: 'Token t1', 'content-encoding': 'gzip' });
    expect(bad).toMatchObject({ status: 400, message: 'body is not valid gzip' });
  });

  it('takes 100k lines in one gzip write, line by line, answering health meanwhile', async () => {
    const t0 = Date.now() - 200_000;
    const body = gzipSync(
      Array.from({ length: 100_000 }, (_, i) => line('web-2', i + 1, '', `${t0 + i}000000`)).join('\n'),
    );
    const before = r.accepted.length;
    let healthy = 0;
    let pushing = true;
    const write = post(body, { authorization: 'Token t2', 'content-encoding': 'gzip' }).finally(() => {
      pushing = false;
    });
    const probes = (async () => {
      while (pushing) {
        if ((await health()) === 204) healthy++;
      }
    })();
    const res = await write;
    await probes;
    expect(res.status).toBe(204);
    expect(healthy).toBeGreaterThan(0);
    const got = r.accepted.slice(before);
    expect(got).toHaveLength(100_000);
    expect(got[0]!.ref).toEqual({ ns: 'default', mcis: 'm', vm: 'web-2', subgroup: 'web', csp: 'aws', region: 'r1' });
  });

  it('caps lines per request (413) and lines per second per VM (429 with Retry-After)', async () => {
    const tight = await start({ maxLines: 50, linesPerSecond: 1 });
    try {
      const many = await post(Array.from({ length: 51 }, (_, i) => line('web-1', i + 1)).join('\n'), undefined, tight.url);
      expect(many.status).toBe(413);
      const full = await post(Array.from({ length: 50 }, (_, i) => line('web-1', i + 1)).join('\n'), undefined, tight.url);
      expect(full.status).toBe(204);
      const again = await post(line('web-1', 60), undefined, tight.url);
      expect(again.status).toBe(429);
      expect(Number(again.retryAfter)).toBeGreaterThanOrEqual(1);
      // Another VM has its own budget.
      expect((await post(line('web-2', 1), { authorization: 'Token t2' }, tight.url)).status).toBe(204);
    } finally {
      tight.server.close();
    }
  });

  it('treats an over-long line as one bad line and stores the rest', async () => {
    const before = r.accepted.length;
    const res = await post(`${line('web-1', 1)}\ncpu,ns=default,mcis=m,vm=web-1 x=${'9'.repeat(100_000)}\n${line('web-1', 2)}`);
    expect(res.status).toBe(400);
    expect(res.message).toMatch(/1 of 3 line\(s\) refused.*longer than/);
    expect(r.accepted.slice(before).map((s) => s.seq)).toEqual([1, 2]);
  });
});

describe('push server trust', () => {
  it('takes the token from the Authorization header only, never from the URL', async () => {
    expect((await post(line('web-1', 1), {})).status).toBe(401);
    expect((await post(line('web-1', 1), { authorization: 'Token nope' })).status).toBe(401);
    const inUrl = await post(line('web-1', 1), {}, `${r.url}?p=t1`);
    expect(inUrl.status).toBe(401);
    expect(inUrl.message).toMatch(/not accepted/);
  });

  it("lets a VM's token write that VM only, and only a push-mode agent's", async () => {
    const before = r.accepted.length;
    const other = await post(line('web-2', 1));
    expect(other.status).toBe(403);
    expect(other.message).toMatch(/default\/m\/web-1 only, not default\/m\/web-2/);
    const pull = await post(line('db-1', 1), { authorization: 'Token tdb' });
    expect(pull.status).toBe(403);
    expect(pull.message).toMatch(/not installed in push mode/);
    expect(r.accepted.length).toBe(before);
  });

  it('refuses timestamps from the far future, from before the ring, and of 400 digits as bad lines', async () => {
    const before = r.accepted.length;
    const y2100 = `${Date.UTC(2100, 0, 1)}000000`;
    for (const ts of [y2100, nowNs(-2 * 3_600_000), '9'.repeat(400), nowNs(10 * 60_000)]) {
      const res = await post(line('web-1', 7, '', ts));
      expect(res.status).toBe(400);
      expect(res.message).toMatch(/timestamp/);
    }
    expect(r.accepted.length).toBe(before);
    expect((await post(line('web-1', 7, '', nowNs(60_000)))).status).toBe(204);
  });

  it('refuses tag keys that are not names, and long or control-character tag values', async () => {
    const before = r.accepted.length;
    for (const [extra, why] of [
      [',1bad=x', /tag key '1bad' is not a name/],
      [',a-b=x', /tag key 'a-b'/],
      [`,mount=${'x'.repeat(300)}`, /longer than 256/],
      [',mount=\u001b[31mred', /control characters/],
    ] as const) {
      const res = await post(line('web-1', 3, extra));
      expect(res.status).toBe(400);
      expect(res.message).toMatch(why);
    }
    const seq = await post('cpu,ns=default,mcis=m,vm=web-1 x=1,seq=1.5 ' + nowNs());
    expect(seq.message).toMatch(/seq 1.5 is not a non-negative integer/);
    expect(r.accepted.length).toBe(before);
  });
});
