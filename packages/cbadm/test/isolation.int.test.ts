/**
 * End to end, as root: Cloud-Twin VMs are isolated machines. An MCIS over AWS (two VMs), GCP and
 * Azure; a web server started on each with `mcis exec` is unreachable from the host until the
 * manifest's firewall opens 8080 (`cbadm apply`), then reachable, then unreachable again once the
 * rule is removed; OpenStack, Alibaba and Cloudit VMs (a second MCIS) let SSH in and 8080 only while a
 * Neutron rule (made with the `openstack` client) allows it; VMs of one VPC
 * reach each other on private IPs, VMs of another cloud's network do not; `hostname` is the VM's
 * name; a file made in the VM's /etc is not in the host's; nothing of the twin is left after
 * `twin down`, nor after a SIGKILLed twin and the next `twin up`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot, optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';

type View = { vms: Array<{ name: string; publicIp: string | null; privateIp: string | null }> };
type Exec = Array<{ vm: string; exitCode: number | null; stdout: string; stderr: string }>;

const ROOT = needsRoot('isolated twin VMs (network namespaces, nftables)');
const BUSYBOX = optionalTool('busybox', 'apt-get install -y busybox');
const OPENSTACK_CLI = optionalTool('openstack', 'apt-get install -y python3-openstackclient');
const cli = new Cli();
const file = () => join(cli.home, 'iso.yaml');
const FILE_IN_ETC = `/etc/cb-isolation-${process.pid}`;

/**
 * The manifest; `open` lists the firewall's rules. Once the MCIS has a firewall it keeps one rule
 * (9999 from a test range), so removing 8080 is a rule removed, not the whole firewall (apply
 * records a firewall dropped altogether as removed but revokes nothing in the cloud).
 */
function write(open: 'none' | '8080' | 'other'): void {
  const yaml = manifestYaml('iso', [
    { name: 'a', connection: 'twin-aws-ap-northeast-2', count: 2 },
    { name: 'g', connection: 'twin-gcp-asia-northeast3', count: 1, spec: 'e2-small' },
    { name: 'z', connection: 'twin-azure-koreacentral', count: 1, spec: 'Standard_B1s' },
  ]);
  const rules = ['    - { ports: "9999", from: ["192.0.2.0/24"] }', ...(open === '8080' ? ['    - { ports: "8080", from: ["0.0.0.0/0"] }'] : [])];
  writeFileSync(file(), open === 'none' ? yaml : `${yaml}  firewall:\n${rules.join('\n')}\n`);
}

/**
 * The VM's web page from the host, or undefined when its port does not answer. A new connection
 * each time: the firewall is stateful and lets a kept-alive one go on, as a security group does.
 */
function page(ip: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host: ip, port: 8080, path: '/', agent: false, timeout: 800 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Waits (a few seconds at most: firewalls follow the cloud's rules asynchronously) until every VM is `open` or not. */
async function expectReach(vms: View['vms'], open: boolean): Promise<void> {
  let seen: Array<string | undefined> = [];
  for (let i = 0; i < 10; i++) {
    seen = await Promise.all(vms.map((v) => page(v.publicIp ?? '')));
    if (seen.every((p, j) => (open ? p?.startsWith(vms[j]?.name ?? '?') : p === undefined))) return;
  }
  expect(seen.map((p, j) => (p === undefined ? undefined : p.startsWith(vms[j]?.name ?? '?')))).toEqual(vms.map(() => (open ? true : undefined)));
}

/** The other clouds' VMs (OpenStack, Alibaba, Cloudit) in an MCIS of their own, in their network's default groups. */
function writeOthers(): string {
  const path = join(cli.home, 'iso2.yaml');
  writeFileSync(path, manifestYaml('iso2', [
    { name: 'o', connection: 'twin-openstack-regionone', count: 1, spec: 'm1.small' },
    { name: 'l', connection: 'twin-alibaba-ap-northeast-2', count: 1, spec: 'ecs.t6-c1m1.large' },
    { name: 'c', connection: 'twin-cloudit-kr-seoul-1', count: 1, spec: 'micro-1' },
  ]));
  return path;
}

/** Waits until the VMs' 8080 answers as `want` says (a few tries); what each answered. */
async function reachAll(vms: View['vms'], want: boolean[]): Promise<boolean[]> {
  let seen: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    seen = (await Promise.all(vms.map((v) => page(v.publicIp ?? '')))).map((p) => p === 'up\n');
    if (seen.every((s, j) => s === want[j])) break;
  }
  return seen;
}

/** The real `openstack` client against the twin, with the clouds.yaml `twin connect` wrote. */
function openstack(args: string[]): string {
  const env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(cli.twinDir, 'clouds.yaml') };
  const r = spawnSync(OPENSTACK_CLI ?? 'openstack', ['--os-cloud', 'cb-twin', '--os-region-name', 'RegionOne', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`openstack ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function prefix(): string {
  return (JSON.parse(readFileSync(join(cli.twinDir, 'isolation.json'), 'utf8')) as { prefix: string }).prefix;
}

/** Namespaces and links on this host named with the twin's prefix. */
function leftovers(): string[] {
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '');
  return [...ns, ...links].filter((n) => n.startsWith(prefix()));
}

describe.skipIf(!ROOT || !BUSYBOX)('isolated twin VMs', () => {
  let vms: View['vms'] = [];

  beforeAll(async () => {
    const up = await cli.json<{ isolation?: { on: boolean } }>(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    expect(up.isolation).toEqual({ on: true });
    await cli.json(['twin', 'connect']);
    write('none');
    await cli.json(['mcis', 'create', '-f', file()]);
    vms = (await cli.json<View>(['mcis', 'get', 'iso'])).vms;
  }, 120_000);

  afterAll(() => cli.dispose());

  it('gives each VM its own name, /etc and processes, and starts a web server on 8080', async () => {
    const r = await cli.json<Exec>(['mcis', 'exec', 'iso', '--', `hostname; touch ${FILE_IN_ETC}; ls ${FILE_IN_ETC}; cat /proc/1/comm; mkdir -p www; hostname > www/index.html; nohup busybox httpd -p 8080 -h www >/dev/null 2>&1 &`]);
    expect(r).toHaveLength(vms.length);
    for (const res of r) {
      // The cloud's own name of the VM: the MCIS name, plus the suffix GCE and Azure names carry.
      const [hostname, ...rest] = res.stdout.split('\n');
      expect(hostname?.startsWith(res.vm)).toBe(true);
      expect(rest.slice(0, 2)).toEqual([FILE_IN_ETC, 'sh']); // PID 1: a shell that reaps orphans
    }
    expect(existsSync(FILE_IN_ETC)).toBe(false);
    // What isolation costs, as `twin status` reports it (the benchmark reads the same).
    const { isolationCost: cost } = await cli.json<{ isolationCost?: { vmsRunning: number; medianStartMs?: number; rssKbPerVm?: number } }>(['twin', 'status']);
    expect(cost?.vmsRunning).toBe(vms.length);
    expect(cost?.medianStartMs).toBeGreaterThan(0);
    expect(cost?.rssKbPerVm).toBeGreaterThan(0);
  }, 60_000);

  it('opens 8080 only while the manifest allows it, on AWS, GCP and Azure', async () => {
    await expectReach(vms, false);
    write('8080');
    await cli.json(['apply', '-f', file(), '--auto-approve']);
    await expectReach(vms, true);
    write('other');
    await cli.json(['apply', '-f', file(), '--auto-approve']);
    await expectReach(vms, false);
  }, 120_000);

  it('lets VMs of one VPC reach each other on private IPs, and not VMs of another network', async () => {
    const ip = (name: string) => vms.find((v) => v.name === name)?.privateIp ?? '';
    // Open to anyone: what keeps g-1 out of a-1's reach is the network, not a rule.
    write('8080');
    await cli.json(['apply', '-f', file(), '--auto-approve']);
    const probe = `for ip in ${ip('a-2')} ${ip('g-1')}; do busybox nc -w 1 $ip 8080 </dev/null >/dev/null 2>&1 && echo "$ip open" || echo "$ip closed"; done`;
    const r = await cli.json<Exec>(['mcis', 'exec', 'iso', '--vm', 'a-1', '--', probe]);
    expect(r[0]?.stdout.trim().split('\n')).toEqual([`${ip('a-2')} open`, `${ip('g-1')} closed`]);
  }, 60_000);

  it.skipIf(!OPENSTACK_CLI)('enforces OpenStack, Alibaba and Cloudit security groups too: SSH gets in, 8080 only while a rule allows it', async () => {
    await cli.json(['mcis', 'create', '-f', writeOthers()]);
    const others = (await cli.json<View>(['mcis', 'get', 'iso2'])).vms;
    expect(others.map((v) => v.name)).toEqual(['o-1', 'l-1', 'c-1']);
    // SSH (port 22) is what each network's default group allows.
    const r = await cli.json<Exec>(['mcis', 'exec', 'iso2', '--', 'mkdir -p www; echo up > www/index.html; nohup busybox httpd -p 8080 -h www >/dev/null 2>&1 &']);
    expect(r.map((x) => x.exitCode)).toEqual([0, 0, 0]);
    expect(await reachAll(others, [false, false, false])).toEqual([false, false, false]);
    // A Neutron rule through OpenStack's own client opens 8080 on the OpenStack VM alone.
    const id = (await cli.json<{ vms: Array<{ name: string; providerId: string }> }>(['mcis', 'get', 'iso2'])).vms[0]?.providerId ?? '';
    const group = (JSON.parse(openstack(['server', 'show', id, '-f', 'json', '-c', 'security_groups'])) as { security_groups: Array<{ name: string }> }).security_groups[0]?.name ?? '';
    const rule = (JSON.parse(openstack(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '8080', '--remote-ip', '0.0.0.0/0', group, '-f', 'json'])) as { id: string }).id;
    expect(await reachAll(others, [true, false, false])).toEqual([true, false, false]);
    openstack(['security', 'group', 'rule', 'delete', rule]);
    expect(await reachAll(others, [false, false, false])).toEqual([false, false, false]);
  }, 120_000);

  it('leaves nothing behind after twin down, nor after a SIGKILLed twin and the next twin up', async () => {
    await cli.json(['twin', 'down', '--yes']);
    expect(leftovers()).toEqual([]);
    await cli.json(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    expect(leftovers().length).toBeGreaterThan(vms.length);
    const pid = (JSON.parse(readFileSync(join(cli.twinDir, 'twin.json'), 'utf8')) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
    while (spawnSync('kill', ['-0', String(pid)]).status === 0) await new Promise((r) => setTimeout(r, 50));
    expect(leftovers().length).toBeGreaterThan(vms.length);
    await cli.json(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    await cli.json(['twin', 'down', '--yes']);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});
