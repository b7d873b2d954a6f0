/**
 * End to end, as root, on the isolated twin: one MCIS over AWS, GCP and Azure with the overlay on
 * and a load balancer on port 80 (HAProxy on a VM of its own) in front of a web server on each
 * backend (`mcis exec` starts it; it serves the VM's name on 8080). The host's requests reach all
 * three clouds over the overlay; 8080 stays closed to the host; a stopped server shows DOWN; a
 * suspended VM is drained first and no request fails; a VM terminated with the AWS API is retried
 * around, replaced by `apply`, and rejoins the mesh and the balancer; `nlb delete` and `mcis delete`
 * leave nothing in the clouds, on the host or in CB_HOME.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { homePaths, SqliteStateStore } from '@cloud-barista/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot, optionalTool } from '../../../test-support/tools.js';
import { CloudAudit } from './chaos.js';
import { Cli, manifestYaml } from './harness.js';
import { ec2 } from './twin-ec2.js';

type Nlb = { name: string; vm?: string; publicIp?: string; algorithm: string; servers: Array<{ name: string; address: string }>; backends?: Array<{ server: string; status: string }> };
type View = { vms: Array<{ name: string; subgroup: string; publicIp: string | null; overlayIp: string | null; providerId: string | null }> };
type Status = { vms: Array<{ vm: string; error?: string; peers: Array<{ to: string; rttMs: number | null }> }> };

const ROOT = needsRoot('a load balancer on isolated twin VMs');
const TOOLS = ['busybox', 'haproxy', 'wg', 'wireguard-go', 'ping'].every((t) => optionalTool(t, 'apt-get install -y busybox haproxy wireguard-tools wireguard-go iputils-ping') !== undefined);
const cli = new Cli();
const file = () => join(cli.home, 'nlb.yaml');
const AWS = 'twin-aws-ap-northeast-2';
const CONNECTIONS = [AWS, 'twin-gcp-asia-northeast3', 'twin-azure-koreacentral'];
const BACKENDS = ['aw-1', 'az-1', 'gc-1'];
const SERVE = 'mkdir -p www && hostname > www/index.html && (nohup busybox httpd -p 8080 -h www >/dev/null 2>&1 &)';

const manifest = (algorithm: string) => `${manifestYaml('shop', [
  { name: 'aw', connection: AWS, count: 1, image: 'debian-12' },
  { name: 'gc', connection: 'twin-gcp-asia-northeast3', count: 1, spec: 'e2-small', image: 'debian-12' },
  { name: 'az', connection: 'twin-azure-koreacentral', count: 1, spec: 'Standard_B1s', image: 'debian-12' },
])}  network:
    overlay: { cidr: 10.77.0.0/16 }
  loadBalancers:
    - name: web
      port: 80
      targetPort: 8080
      targets: ["subgroup:aw", "subgroup:gc", "subgroup:az"]
      healthCheck: { path: /, interval: 1s, threshold: 2 }
      algorithm: ${algorithm}
      connection: ${AWS}
      spec: t3.micro
`;

/** The page at ip:port, or undefined when nothing answers (a new connection each time). */
function page(ip: string, port: number, timeout = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: ip, port, path: '/', agent: false, timeout }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      // 'close' in every case (ended, reset, destroyed): a cut-off body is no answer.
      res.on('close', () => resolve(res.complete && res.statusCode === 200 ? body.trim() : undefined));
      res.on('error', () => undefined);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
  });
}

/** Requests to the balancer, one after another, counted by the VM that answered ('failed' for none). */
class Tally {
  readonly counts: Record<string, number> = {};
  async send(ip: string, n: number, more: () => boolean = () => false): Promise<this> {
    for (let i = 0; i < n || more(); i++) {
      const body = await page(ip, 80);
      const who = BACKENDS.find((v) => body?.startsWith(v)) ?? 'failed';
      this.counts[who] = (this.counts[who] ?? 0) + 1;
    }
    return this;
  }
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, tries = 60): Promise<T> {
  let last: T = await fn();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  if (!ok(last)) throw new Error(`${what}: still ${JSON.stringify(last)}`);
  return last;
}

const statusOf = (h: Nlb, vm: string) => h.backends?.find((b) => b.server === vm)?.status ?? '';
const health = () => cli.json<Nlb>(['mcis', 'nlb', 'get', 'shop', 'web']);

/** Every pair of VMs pings over the overlay. */
function expectFullMatrix(s: Status, names: string[]): void {
  expect(s.vms.map((v) => v.vm).sort()).toEqual([...names].sort());
  for (const v of s.vms) {
    expect(v.error, v.vm).toBeUndefined();
    for (const p of v.peers) expect(p.rttMs, `${v.vm} → ${p.to}`).not.toBeNull();
  }
}

/** Namespaces and links on the host named with the twin's isolation prefix. */
function hostLeftovers(): string[] {
  const prefix = (JSON.parse(readFileSync(join(cli.twinDir, 'isolation.json'), 'utf8')) as { prefix: string }).prefix;
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '');
  return [...ns, ...links].filter((n) => n.startsWith(prefix));
}

/** Every path under `dir` whose name contains `word`. */
function pathsNamed(dir: string, word: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.includes(word));
}

describe.skipIf(!ROOT || !TOOLS)('multi-cloud load balancer over the overlay', () => {
  let lb: Nlb;
  let vms: View['vms'] = [];
  let endpoint = '';
  let audit: CloudAudit;

  beforeAll(async () => {
    await cli.json(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    await cli.json(['twin', 'connect']);
    endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'status'])).endpoints.aws;
    audit = new CloudAudit(cli.home);
    writeFileSync(file(), manifest('roundrobin'));
    await cli.json(['mcis', 'create', '-f', file()]);
    await cli.json(['mcis', 'exec', 'shop', '--', SERVE]);
    vms = (await cli.json<View>(['mcis', 'get', 'shop'])).vms;
    lb = (await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop']))[0]!;
  }, 240_000);

  afterAll(async () => {
    await audit?.close();
    await cli.dispose();
  });

  it('spreads 300 requests over AWS, GCP and Azure through the overlay, none failing', async () => {
    expect(lb).toMatchObject({ name: 'web', vm: 'nlb-web-1' });
    expect(vms.find((v) => v.name === 'nlb-web-1')?.publicIp).toBe(lb.publicIp);
    // The balancer reaches each backend at its overlay address.
    expect(lb.servers.sort((a, b) => a.name.localeCompare(b.name))).toEqual(BACKENDS.map((name) => ({ name, address: vms.find((v) => v.name === name)?.overlayIp })));
    expect(lb.servers.every((s) => s.address.startsWith('10.77.'))).toBe(true);
    await until('all UP', health, (h) => BACKENDS.every((b) => statusOf(h, b) === 'UP'));
    const { counts } = await new Tally().send(lb.publicIp!, 300);
    expect(counts.failed).toBeUndefined();
    for (const b of BACKENDS) expect(counts[b], b).toBeGreaterThan(0);
    // targetPort is the balancer's alone.
    for (const b of BACKENDS) expect(await page(vms.find((v) => v.name === b)!.publicIp!, 8080, 1000)).toBeUndefined();
  }, 90_000);

  it('shows a stopped server DOWN and takes it back once it serves again', async () => {
    await cli.json(['mcis', 'exec', 'shop', '--vm', 'gc-1', '--', "pkill -f 'httpd -p 808[0]'"]);
    await until('gc-1 DOWN', health, (h) => statusOf(h, 'gc-1').startsWith('DOWN'));
    expect((await cli.run(['mcis', 'nlb', 'get', 'shop'])).stdout).toMatch(/gc-1[│\s]+\S+:8080[│\s]+DOWN/);
    await cli.json(['mcis', 'exec', 'shop', '--vm', 'gc-1', '--', SERVE]);
    await until('gc-1 UP', health, (h) => statusOf(h, 'gc-1') === 'UP');
  }, 60_000);

  it('drains a VM before it is suspended: no request fails while it goes', async () => {
    let suspending = true;
    const load = new Tally().send(lb.publicIp!, 0, () => suspending);
    const suspend = await cli.run(['mcis', 'suspend', 'shop', '--vm', 'az-1', '--json'], { env: { CB_PROGRESS: '1' } });
    suspending = false;
    expect(suspend.code, suspend.stderr).toBe(0);
    // HAProxy let az-1 go before the cloud was asked to stop it.
    const drained = suspend.stderr.search(/web: HAProxy reloaded on nlb-web-1 with 2 target\(s\) \(draining az-1\)/);
    expect(drained).toBeGreaterThanOrEqual(0);
    expect(drained).toBeLessThan(suspend.stderr.indexOf('[shop/az-1]'));
    const during = (await load).counts;
    const after = (await new Tally().send(lb.publicIp!, 60)).counts;
    expect(during.failed).toBeUndefined();
    expect(Object.keys(after).sort()).toEqual(['aw-1', 'gc-1']);
    expect((await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop']))[0]?.servers.map((s) => s.name).sort()).toEqual(['aw-1', 'gc-1']);
    await cli.json(['mcis', 'resume', 'shop', '--vm', 'az-1']);
    await cli.json(['mcis', 'exec', 'shop', '--vm', 'az-1', '--', SERVE]);
    await until('az-1 UP', health, (h) => statusOf(h, 'az-1') === 'UP');
  }, 120_000);

  it('retries around a VM terminated with the AWS API; apply replaces it and it rejoins mesh and balancer', async () => {
    const victim = vms.find((v) => v.name === 'aw-1')!;
    const client = ec2({ endpoint, stateDir: cli.twinDir }, 'ap-northeast-2');
    await client.send(new TerminateInstancesCommand({ InstanceIds: [victim.providerId!] }));
    client.destroy();
    await until('aw-1 gone at AWS', () => audit.instances(AWS, 'shop'), (i) => !i.some((x) => x.vm === 'aw-1'));
    // HAProxy still lists it until the check fails: a connect that lands there goes elsewhere.
    const { counts } = await new Tally().send(lb.publicIp!, 100);
    expect(Object.keys(counts).sort()).toEqual(['az-1', 'gc-1']);
    await until('aw-1 DOWN', health, (h) => statusOf(h, 'aw-1').startsWith('DOWN'));

    writeFileSync(file(), manifest('leastconn'));
    const r = await cli.json<{ replaced: string[] }>(['apply', '-f', file(), '--auto-approve']);
    expect(r.replaced).toEqual(['aw-1']);
    await cli.json(['mcis', 'exec', 'shop', '--vm', 'aw-1', '--', SERVE]);
    const view = (await cli.json<View>(['mcis', 'get', 'shop'])).vms;
    expectFullMatrix(await cli.json<Status>(['mcis', 'network', 'status', 'shop']), view.map((v) => v.name));
    const now = (await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop']))[0]!;
    expect(now.algorithm).toBe('leastconn');
    expect(now.servers.find((s) => s.name === 'aw-1')?.address).toBe(view.find((v) => v.name === 'aw-1')?.overlayIp);
    await until('aw-1 UP', health, (h) => statusOf(h, 'aw-1') === 'UP');
    const again = (await new Tally().send(lb.publicIp!, 60)).counts;
    expect(again.failed).toBeUndefined();
    for (const b of BACKENDS) expect(again[b], b).toBeGreaterThan(0);
  }, 180_000);

  it('nlb delete removes the balancer VM; mcis delete leaves nothing in the clouds, on the host or in CB_HOME', async () => {
    await cli.json(['mcis', 'nlb', 'delete', 'shop', 'web', '--yes']);
    expect(await cli.json<Nlb[]>(['mcis', 'nlb', 'list', 'shop'])).toEqual([]);
    expect((await cli.json<View>(['mcis', 'get', 'shop'])).vms.map((v) => v.name).sort()).toEqual(BACKENDS);
    expect(await page(lb.publicIp!, 80, 1000)).toBeUndefined();

    await cli.json(['mcis', 'delete', 'shop', '--force', '--yes']);
    for (const conn of CONNECTIONS) {
      expect(await audit.instances(conn, 'shop'), conn).toEqual([]);
      // The default network (with its firewall rules) and key pair went with their last user.
      expect(await audit.defaults(conn), conn).toEqual([]);
    }
    const client = ec2({ endpoint, stateDir: cli.twinDir }, 'ap-northeast-2');
    expect((await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['shop'] }] }))).SecurityGroups).toEqual([]);
    client.destroy();
    // On the host: only the twin's fabric and bridges, no VM namespace, veth or tunnel.
    expect(hostLeftovers().filter((n) => n.includes('-vm-') || /^c[0-9a-f]{5}[pv]\d/.test(n))).toEqual([]);
    expect(spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout).not.toMatch(/^\d+: cbo0[:@]/m);
    // In CB_HOME: no record with an overlay key, no VM disk holding one.
    const store = new SqliteStateStore(homePaths(cli.home).db);
    try {
      expect(store.getMcis('default', 'shop')).toBeUndefined();
      expect(store.listVms('default', 'shop')).toEqual([]);
    } finally {
      store.close();
    }
    expect(pathsNamed(cli.home, 'cb-overlay')).toEqual([]);
  }, 180_000);
});
