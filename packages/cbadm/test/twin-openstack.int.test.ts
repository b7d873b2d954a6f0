/**
 * End to end on OpenStack: the built cbadm registers twin-openstack-<region> connections (a stored
 * Keystone password credential) and writes a clouds.yaml the real `openstack` client reads; a
 * credential from that clouds.yaml (--os-cloud) and a price table (--price-file) work; an MCIS runs
 * through the OpenStack driver create → exec → suspend → resume → terminate → delete with nothing
 * left in the project (checked through Nova and Neutron); and a create SIGKILLed mid-way then run
 * again leaves exactly the servers asked for.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';
import { walkLifecycle } from './walk.js';
import { twinCreds } from './twin-ec2.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; credential?: string; prices?: Record<string, number> };
type Vm = { name: string; status: string; publicIp: string | null; providerId: string | null; sshUser: string };
type Mcis = { name: string; status: string; vms: Vm[] };

const run = promisify(execFile);
const openstackCli = optionalTool('openstack', 'apt-get install -y python3-openstackclient');
const cli = new Cli();
let authUrl = '';
let cloudsYaml = '';

/** A call to the twin's OpenStack API with a fresh token, as any OpenStack client makes it. */
async function api<T>(path: string): Promise<T> {
  const o = twinCreds(cli.twinDir).openstack;
  const auth = { auth: { identity: { methods: ['password'], password: { user: { name: o.username, domain: { name: 'Default' }, password: o.password } } }, scope: { project: { name: o.projectName, domain: { name: 'Default' } } } } };
  const res = await fetch(`${authUrl}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth) });
  const token = res.headers.get('x-subject-token') ?? '';
  const r = await fetch(`${authUrl.replace(/\/identity\/v3$/, '')}${path}`, { headers: { 'x-auth-token': token, 'openstack-api-version': 'compute 2.79' } });
  return (await r.json()) as T;
}

type Server = { id: string; status: string; metadata: Record<string, string> };
const servers = async () => (await api<{ servers: Server[] }>('/compute/v2.1/servers/detail')).servers;

/** What of cbadm's is in the project: servers, tenant networks, routers, floating IPs, key pairs, groups besides default. */
async function leftInProject(): Promise<string[]> {
  const nets = (await api<{ networks: { name: string; 'router:external': boolean }[] }>('/network/v2.0/networks')).networks.filter((n) => !n['router:external']);
  const routers = (await api<{ routers: { name: string }[] }>('/network/v2.0/routers')).routers;
  const fips = (await api<{ floatingips: { floating_ip_address: string }[] }>('/network/v2.0/floatingips')).floatingips;
  const groups = (await api<{ security_groups: { name: string }[] }>('/network/v2.0/security-groups')).security_groups.filter((g) => g.name !== 'default');
  const keys = (await api<{ keypairs: { keypair: { name: string } }[] }>('/compute/v2.1/os-keypairs')).keypairs;
  return [
    ...(await servers()).map((s) => `server ${s.id}`),
    ...nets.map((n) => `network ${n.name}`),
    ...routers.map((r) => `router ${r.name}`),
    ...fips.map((f) => `floating ip ${f.floating_ip_address}`),
    ...groups.map((g) => `security group ${g.name}`),
    ...keys.map((k) => `key pair ${k.keypair.name}`),
  ];
}

beforeAll(async () => {
  authUrl = (await cli.twinStart('300ms')).endpoints.openstack!;
});
afterAll(() => cli.dispose());

describe('cbadm with OpenStack on Cloud-Twin', () => {
  it('twin connect registers a connection per region and writes a clouds.yaml the openstack client reads', async () => {
    expect(authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/identity\/v3$/);
    const out = await cli.json<{ credentials: string[]; connections: Conn[]; cloudsYaml: string }>(['twin', 'connect']);
    expect(out.credentials).toContain('twin-openstack');
    expect(out.connections.filter((c) => c.provider === 'openstack').map((c) => [c.name, c.region, c.zone])).toEqual([
      ['twin-openstack-regionone', 'RegionOne', 'nova'],
      ['twin-openstack-regiontwo', 'RegionTwo', 'nova'],
    ]);
    cloudsYaml = out.cloudsYaml;
    expect(statSync(cloudsYaml).mode & 0o777).toBe(0o600);
    const t = await cli.json<{ ok?: boolean }>(['connection', 'test', 'twin-openstack-regionone']);
    expect(JSON.stringify(t)).toContain('RegionOne');
    if (openstackCli) {
      const { stdout } = await run(openstackCli, ['--os-cloud', 'cb-twin', 'flavor', 'list', '-f', 'value', '-c', 'Name'], { env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsYaml } });
      expect(stdout.split('\n')).toContain('m1.small');
    }
  });

  it('takes a credential from the clouds.yaml (--os-cloud) and a price table (--price-file) that spec list shows', async () => {
    await cli.json(['credential', 'add', 'lab', '--provider', 'openstack', '--os-cloud', 'cb-twin', '--clouds-file', cloudsYaml]);
    const prices = join(cli.home, 'prices.csv');
    writeFileSync(prices, 'flavor,usd_per_hour\nm1.small,0.021\nm1.medium,0.042\n');
    const conn = await cli.json<Conn>(['connection', 'add', 'lab-one', '--provider', 'openstack', '--region', 'RegionOne', '--credential', 'lab', '--ssh-port', cli.env.CB_TWIN_SSH_PORT!, '--price-file', prices]);
    expect(conn.prices).toEqual({ 'm1.small': 0.021, 'm1.medium': 0.042 });
    await cli.json(['catalog', 'update', '--connection', 'lab-one']);
    const { specs } = await cli.json<{ specs: Array<{ name: string; provider: string; pricePerHour?: number }> }>(['spec', 'list', '--provider', 'openstack']);
    expect(specs.find((s) => s.name === 'm1.small')?.pricePerHour).toBe(0.021);
    expect(specs.find((s) => s.name === 'm1.large')?.pricePerHour).toBeUndefined();
    const bad = join(cli.home, 'bad.csv');
    writeFileSync(bad, 'm1.small,cheap\n');
    const r = await cli.run(['connection', 'add', 'lab-bad', '--provider', 'openstack', '--region', 'RegionOne', '--credential', 'lab', '--price-file', bad]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('bad.csv line 1')]);
    await cli.json(['connection', 'remove', 'lab-one', '--yes']);
  }, 60_000);

  it('places regions with --location (a city or LAT,LON) so recommend ranks them by distance', async () => {
    await cli.json(['connection', 'add', 'lab-seoul', '--provider', 'openstack', '--region', 'RegionTwo', '--credential', 'twin-openstack', '--location', 'Seoul']);
    const berlin = await cli.json<Conn & { location: unknown }>(['connection', 'add', 'lab-berlin', '--provider', 'openstack', '--region', 'RegionOne', '--credential', 'twin-openstack', '--location', '52.52,13.40']);
    expect(berlin.location).toEqual({ lat: 52.52, lon: 13.4 });
    for (const c of ['lab-seoul', 'lab-berlin']) await cli.json(['catalog', 'update', '--connection', c]);
    type Rec = { candidates: Array<{ region: string; distanceKm: number | null }> };
    const near = async (city: string) => (await cli.json<Rec>(['recommend', '--provider', 'openstack', '--priority', 'location', '--near-city', city, '--limit', '1'])).candidates[0]!;
    expect(await near('Tokyo')).toMatchObject({ region: 'RegionTwo' });
    const paris = await near('Paris');
    expect(paris.region).toBe('RegionOne');
    expect(paris.distanceKm).toBeGreaterThan(800);
    expect(paris.distanceKm).toBeLessThan(1000);
    const bad = await cli.run(['connection', 'add', 'lab-x', '--provider', 'openstack', '--region', 'RegionOne', '--credential', 'twin-openstack', '--location', '95,10']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('latitude 95 is outside -90..90')]);
    for (const c of ['lab-seoul', 'lab-berlin']) await cli.json(['connection', 'remove', c, '--yes']);
  }, 60_000);

  it('runs an MCIS on OpenStack: create, exec, suspend, resume, terminate, delete, nothing left', async () => {
    await walkLifecycle(cli, { mcis: 'osm', connection: 'twin-openstack-regionone', spec: 'm1.small', subgroup: 'lab', sshUser: 'ubuntu' }, {
      afterCreate: async () => {
        if (!openstackCli) return;
        const { stdout } = await run(openstackCli, ['--os-cloud', 'cb-twin', 'server', 'list', '-f', 'json'], { env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsYaml } });
        expect((JSON.parse(stdout) as { Name: string; Status: string }[]).map((s) => s.Status)).toEqual(['ACTIVE', 'ACTIVE']);
      },
      afterSuspend: async () => expect((await servers()).map((s) => s.status)).toEqual(['SHUTOFF', 'SHUTOFF']),
      afterDelete: async () => expect(await leftInProject()).toEqual([]),
    });
  }, 120_000);

  it('a create SIGKILLed after its first server launched, run again, leaves exactly the servers asked for', async () => {
    const file = join(cli.home, 'kill.yaml');
    writeFileSync(file, manifestYaml('killed', [{ name: 'k', connection: 'twin-openstack-regionone', count: 3, spec: 'm1.tiny' }]));
    // Slow polls: the create is still waiting for its VMs when the test sees the first one and kills it.
    const child = cli.spawnRaw(['mcis', 'create', '-f', file], { CB_POLL_MS: '1000' });
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
    for (let i = 0; i < 600 && (await servers()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = (await servers()).length;
    expect(atKill).toBeGreaterThanOrEqual(1);
    expect(atKill).toBeLessThanOrEqual(3);
    const again = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(again.mcis.status).toBe('Running:3 (R:3/3)');
    const mine = (await servers()).filter((s) => s.metadata['cb-mcis'] === 'killed');
    expect(mine.length).toBe(3);
    expect(new Set(mine.map((s) => s.metadata['cb-vm'])).size).toBe(3);
    await cli.json(['mcis', 'delete', 'killed', '--force', '--yes']);
    expect(await leftInProject()).toEqual([]);
    expect(readFileSync(cloudsYaml, 'utf8')).toContain('cb-twin');
  }, 120_000);
});
