/**
 * End to end, as root, on the isolated twin: an MCIS with a web subgroup on AWS and one on GCP, each
 * VM serving its own name on 8080 (busybox httpd from the manifest's `run`), and a load balancer on
 * port 80 in front of both (HAProxy on its own VM). Requests from the host to the balancer reach
 * both clouds; a stopped server shows DOWN in `nlb get` and traffic goes to the other; 8080 is
 * closed to the host; a scaled-out VM becomes a backend; `nlb delete` removes the balancer VM.
 */
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot, optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';

type Nlb = { name: string; vm?: string; publicIp?: string; servers: Array<{ name: string; address: string }>; backends?: Array<{ server: string; status: string }> };
type View = { vms: Array<{ name: string; subgroup: string; publicIp: string | null }> };

const ROOT = needsRoot('a load balancer on isolated twin VMs');
const BUSYBOX = optionalTool('busybox', 'apt-get install -y busybox');
const HAPROXY = optionalTool('haproxy', 'apt-get install -y haproxy');
const cli = new Cli();
const file = () => join(cli.home, 'nlb.yaml');

const MANIFEST = `${manifestYaml('shop', [
  { name: 'aw', connection: 'twin-aws-ap-northeast-2', count: 1 },
  { name: 'gc', connection: 'twin-gcp-asia-northeast3', count: 1, spec: 'e2-small' },
])}  run:
    - mkdir -p www && hostname > www/index.html && (nohup busybox httpd -p 8080 -h www >/dev/null 2>&1 &)
  loadBalancers:
    - name: web
      port: 80
      targetPort: 8080
      targets: ["subgroup:aw", "subgroup:gc"]
      healthCheck: { path: /, interval: 300ms }
      algorithm: roundrobin
      connection: twin-aws-ap-northeast-2
      spec: t3.micro
`;

/** The page at ip:port, or undefined when nothing answers (a new connection each time). */
function page(ip: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: ip, port, path: '/', agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Which VM answered each of `n` requests to the balancer (by the name it serves). */
async function answers(ip: string, n: number, vms: string[]): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (let i = 0; i < n; i++) {
    const body = await page(ip, 80);
    out.push(vms.find((v) => body?.startsWith(v)));
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: T = await fn();
  for (let i = 0; i < 40 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  if (!ok(last)) throw new Error(`${what}: still ${JSON.stringify(last)}`);
  return last;
}

describe.skipIf(!ROOT || !BUSYBOX || !HAPROXY)('multi-cloud load balancer', () => {
  let lb: Nlb;
  let vms: View['vms'] = [];

  beforeAll(async () => {
    await cli.json(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    await cli.json(['twin', 'connect']);
    writeFileSync(file(), MANIFEST);
    await cli.json(['mcis', 'create', '-f', file()]);
    vms = (await cli.json<View>(['mcis', 'get', 'shop'])).vms;
    lb = (await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop']))[0]!;
  }, 180_000);

  afterAll(() => cli.dispose());

  it('runs HAProxy on a VM of its own and spreads requests across both clouds', async () => {
    expect(lb).toMatchObject({ name: 'web', vm: 'nlb-web-1' });
    expect(lb.servers.map((s) => s.name).sort()).toEqual(['aw-1', 'gc-1']);
    expect(vms.find((v) => v.name === 'nlb-web-1')?.publicIp).toBe(lb.publicIp);
    const seen = await until('answers from both clouds', () => answers(lb.publicIp!, 6, ['aw-1', 'gc-1']), (a) => a.includes('aw-1') && a.includes('gc-1'));
    expect(seen.every((a) => a !== undefined)).toBe(true);
    const health = await until('both UP', () => cli.json<Nlb>(['mcis', 'nlb', 'get', 'shop', 'web']), (h) => h.backends?.filter((b) => b.status === 'UP').length === 2);
    expect(health.backends?.map((b) => b.server).sort()).toEqual(['aw-1', 'gc-1']);
  }, 60_000);

  it('keeps targetPort closed to the host: only the balancer may reach it', async () => {
    for (const v of vms.filter((x) => x.subgroup !== 'nlb-web')) expect(await page(v.publicIp ?? '', 8080)).toBeUndefined();
  }, 30_000);

  it('marks a stopped server DOWN and sends every request to the other cloud', async () => {
    await cli.json(['mcis', 'exec', 'shop', '--vm', 'gc-1', '--', "pkill -f 'httpd -p 808[0]'"]);
    const health = await until('gc-1 DOWN', () => cli.json<Nlb>(['mcis', 'nlb', 'get', 'shop', 'web']), (h) => h.backends?.find((b) => b.server === 'gc-1')?.status.startsWith('DOWN') === true);
    expect(health.backends?.find((b) => b.server === 'aw-1')?.status).toBe('UP');
    expect(await answers(lb.publicIp!, 6, ['aw-1', 'gc-1'])).toEqual(Array(6).fill('aw-1'));
    const table = await cli.run(['mcis', 'nlb', 'get', 'shop']);
    expect(table.stdout).toMatch(/gc-1[│\s]+\S+:8080[│\s]+DOWN/);
  }, 60_000);

  it('follows scale-out with a new backend, and applies a changed algorithm without touching a VM', async () => {
    await cli.json(['mcis', 'scale', 'shop', '--subgroup', 'aw', '--count', '2']);
    const after = (await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop']))[0]!;
    expect(after.servers.map((s) => s.name).sort()).toEqual(['aw-1', 'aw-2', 'gc-1']);
    await until('answers from aw-2', () => answers(lb.publicIp!, 6, ['aw-1', 'aw-2']), (a) => a.includes('aw-2'));
    writeFileSync(file(), MANIFEST.replace('aw, connection: twin-aws-ap-northeast-2, count: 1', 'aw, connection: twin-aws-ap-northeast-2, count: 2').replace('algorithm: roundrobin', 'algorithm: leastconn'));
    const r = await cli.json<{ created: string[]; destroyed: string[] }>(['apply', '-f', file(), '--auto-approve']);
    expect([...r.created, ...r.destroyed]).toEqual([]);
    expect((await cli.json<Array<{ algorithm: string }>>(['mcis', 'nlb', 'list', 'shop']))[0]?.algorithm).toBe('leastconn');
    const cfg = await cli.json<Array<{ stdout: string }>>(['mcis', 'exec', 'shop', '--vm', 'nlb-web-1', '--', 'grep balance /var/lib/cb-nlb/web/haproxy.cfg']);
    expect(cfg[0]?.stdout.trim()).toBe('balance leastconn');
  }, 90_000);

  it('deletes the balancer with its VM', async () => {
    await cli.json(['mcis', 'nlb', 'delete', 'shop', 'web', '--yes']);
    expect(await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop'])).toEqual([]);
    expect((await cli.json<View>(['mcis', 'get', 'shop'])).vms.map((v) => v.name).sort()).toEqual(['aw-1', 'aw-2', 'gc-1']);
    expect(await page(lb.publicIp!, 80)).toBeUndefined();
  }, 90_000);
});
