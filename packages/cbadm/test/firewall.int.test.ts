/**
 * End to end: manifest firewall rules on a 3-cloud MCIS. `{ports: "8080", from: ["subgroup:web"]}`
 * must show up in each cloud's own API (EC2 DescribeSecurityGroups through the AWS SDK; GCE firewall
 * rules and the instance's network tag through gcloud and Google's SDK; the Azure NSG through the
 * driver, which reads it with Azure's SDK; the OpenStack security group through the `openstack`
 * client and the driver; the ECS security group through the driver) with
 * the web VMs' public and private addresses as sources (a subgroup's own rule only on its
 * connection); scaling web re-syncs them; a rule revoked in the cloud is drift that apply repairs;
 * `plan` shows the rule removed and `apply` removes it everywhere; SSH narrowed by `spec.ssh` still
 * lets cbadm in; `mcis delete` leaves no firewall object behind; VMs of an MCIS that gets its first
 * rule by apply are attached in place.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand, type SecurityGroup } from '@aws-sdk/client-ec2';
import { homePaths, refsToNetwork, SqliteStateStore, type CloudDriver, type DefaultNetwork } from '@cloud-barista/core';
import { driverRegistry } from '@cloud-barista/drivers';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/index.js';
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaignTwin, storedCredential, type CloudAudit } from './chaos.js';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';
import { ec2 } from './twin-ec2.js';

const AWS = { connection: 'twin-aws-ap-northeast-2', region: 'ap-northeast-2' };
const GCP = 'twin-gcp-asia-northeast3';
const AZURE = 'twin-azure-koreacentral';
const OPENSTACK = 'twin-openstack-regionone';
const ALIBABA = 'twin-alibaba-ap-northeast-2';
/** The MCIS firewall's name for MCIS `fw` in namespace `default` (GCE tag, Azure rule prefix). */
const FW = 'cb-default-fw';

const OPENSTACK_CLI = optionalTool('openstack', 'apt-get install -y python3-openstackclient');
const GCLOUD = optionalTool('gcloud', "apt-get install -y google-cloud-cli (Google's apt repository: https://cloud.google.com/sdk/docs/install#deb)");

type View = { vms: Array<{ name: string; publicIp: string | null; privateIp: string | null }> };
type Plan = { changes: Array<{ op: string; kind?: string; target: string; reason: string; drift?: boolean }> };

// The twin's default isolation: as root the VMs' firewalls are enforced, so a VM launched with only
// the MCIS group is reachable over SSH only if that group let SSH in before the launch.
const cli = new Cli();
let audit: CloudAudit;
let endpoint: string;
const drivers = new Map<string, CloudDriver>();
const file = () => join(cli.home, 'fw.yaml');

function write(web: number, spec = '  firewall:\n    - { ports: "8080", from: ["subgroup:web"] }\n', zRule = true): void {
  const subgroups = [
    { name: 'web', connection: AWS.connection, count: web, spec: 't3.micro' },
    { name: 'g', connection: GCP, count: 1, spec: 'e2-small' },
    { name: 'z', connection: AZURE, count: 1, spec: 'Standard_B1s' },
    { name: 'o', connection: OPENSTACK, count: 1, spec: 'm1.small' },
    { name: 'a', connection: ALIBABA, count: 1, spec: 'ecs.t6-c1m1.large' },
  ];
  // z opens udp/9000 to anyone: a subgroup's rule, realised on its connection (Azure) only.
  const base = manifestYaml('fw', subgroups);
  const yaml = !zRule ? base : base.replace(/(name: z, [^}]*)}/, '$1, firewall: [{ ports: "9000", protocol: udp, from: ["0.0.0.0/0"] }] }');
  writeFileSync(file(), yaml + spec);
}

const apply = () => cli.json<unknown>(['apply', '-f', file(), '--auto-approve']);

/** The web VMs' public and private addresses as /32 sources, sorted. */
async function webSources(): Promise<string[]> {
  const view = await cli.json<View>(['mcis', 'get', 'fw']);
  return view.vms.filter((v) => v.name.startsWith('web-')).flatMap((v) => [v.publicIp, v.privateIp]).map((ip) => `${ip}/32`).sort();
}

async function driverFor(conn: string): Promise<CloudDriver> {
  let d = drivers.get(conn);
  if (!d) {
    const c = audit.connection(conn);
    d = (await driverRegistry.load(c.provider))({ connection: c, credentials: storedCredential(cli.home, c.credential!) });
    drivers.set(conn, d);
  }
  return d;
}

/** The default networks as recorded while the MCIS lived: the delete removes the records with them. */
const networks = new Map<string, DefaultNetwork>();

function networkOf(conn: string): DefaultNetwork | undefined {
  if (networks.has(conn)) return networks.get(conn);
  const store = new SqliteStateStore(homePaths(cli.home).db);
  try {
    const r = store.getResource(conn, 'network');
    if (r) networks.set(conn, refsToNetwork(r.refs));
    return networks.get(conn);
  } finally {
    store.close();
  }
}

/** EC2's view: the MCIS's security groups (by tag), through the AWS SDK. */
async function awsGroups(): Promise<SecurityGroup[]> {
  const client = ec2({ endpoint, stateDir: cli.twinDir }, AWS.region);
  try {
    return (await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['fw'] }] }))).SecurityGroups ?? [];
  } finally {
    client.destroy();
  }
}

/** Sources per `proto port` in EC2's one group for the MCIS. */
async function awsRules(): Promise<Record<string, string[]>> {
  const groups = await awsGroups();
  expect(groups).toHaveLength(1);
  const out: Record<string, string[]> = {};
  for (const p of groups[0]!.IpPermissions ?? []) out[`${p.IpProtocol} ${p.FromPort}-${p.ToPort}`] = (p.IpRanges ?? []).map((r) => r.CidrIp!).sort();
  return out;
}

/** The MCIS firewall object's id on a connection as the record keeps it (a Neutron or ECS group id). */
function recordedFirewall(conn: string, mcis = 'fw'): string | undefined {
  const store = new SqliteStateStore(homePaths(cli.home).db);
  try {
    return store.getMcis('default', mcis)?.firewalls?.[conn]?.id;
  } finally {
    store.close();
  }
}

/** Sources per `proto port` the GCE firewall rules, the Azure NSG, the Neutron or ECS group hold for the MCIS (and Azure's destinations). */
async function cloudRules(conn: string): Promise<{ rules: Record<string, string[]>; targets?: string[] }> {
  const d = await driverFor(conn);
  const net = networkOf(conn);
  if (!net) return { rules: {} };
  const id = conn === OPENSTACK || conn === ALIBABA ? recordedFirewall(conn) : FW;
  if (!id) return { rules: {} };
  const read = await d.firewall!.read({ id, name: FW }, net);
  const rules: Record<string, string[]> = {};
  for (const r of read.rules) (rules[`${r.protocol} ${r.fromPort}-${r.toPort}`] ??= []).push(r.source);
  for (const k of Object.keys(rules)) rules[k]!.sort();
  return { rules, ...(read.targets ? { targets: read.targets } : {}) };
}

/** A GCE instance's network tags, read with Google's SDK (the service-account key cbadm stored; its token_uri is the twin's). */
async function gceTags(providerId: string): Promise<string[]> {
  const c = audit.connection(GCP);
  const cred = storedCredential(cli.home, c.credential!);
  if (cred.kind !== 'gcp-service-account') throw new Error(`${GCP}: expected a service-account key`);
  const key = JSON.parse(cred.keyJson) as { client_email: string; private_key: string; token_uri: string; project_id: string };
  const authClient = new JWT({ email: key.client_email, key: key.private_key, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  // The Node library posts to Google's token URL; the key names the twin's.
  authClient.transporter.interceptors.request.add({
    resolved: (config) => {
      if (String(config.url) === 'https://oauth2.googleapis.com/token') config.url = new URL(key.token_uri);
      return Promise.resolve(config);
    },
  });
  const u = new URL(c.endpoint!);
  const client = new InstancesClient({ authClient, apiEndpoint: u.hostname, port: Number(u.port), protocol: u.protocol.replace(':', ''), fallback: true });
  try {
    const [zone, instance] = providerId.split('/') as [string, string];
    const [i] = await client.get({ project: c.project ?? key.project_id, zone, instance });
    return i.tags?.items ?? [];
  } finally {
    await client.close();
  }
}

/** gcloud's login with the stored key: once per file (the key and the config dir do not change). */
let gcloudLogin: Promise<unknown> | undefined;

/** Google's own CLI against the twin, logged in with the service-account key cbadm stored. */
async function gcloudJson<T>(args: string[]): Promise<T> {
  const c = audit.connection(GCP);
  const cred = storedCredential(cli.home, c.credential!);
  if (cred.kind !== 'gcp-service-account') throw new Error(`${GCP}: expected a service-account key`);
  const env = {
    PATH: process.env.PATH,
    HOME: cli.home,
    CLOUDSDK_CONFIG: join(cli.home, 'gcloud'),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${c.endpoint}/compute/v1/`,
    CLOUDSDK_CORE_PROJECT: c.project ?? (JSON.parse(cred.keyJson) as { project_id: string }).project_id,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
  };
  const run = (a: string[]) => promisify(execFile)(GCLOUD!, a, { env, encoding: 'utf8', timeout: 30_000 });
  if (!gcloudLogin) {
    const keyFile = join(cli.home, 'gcloud-sa.json');
    writeFileSync(keyFile, cred.keyJson, { mode: 0o600 });
    gcloudLogin = run(['auth', 'activate-service-account', `--key-file=${keyFile}`]);
  }
  await gcloudLogin;
  return JSON.parse((await run([...args, '--format=json'])).stdout) as T;
}

/** The real `openstack` client against the twin, with the clouds.yaml `twin connect` wrote. */
async function openstackJson<T>(args: string[]): Promise<T> {
  const env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(cli.twinDir, 'clouds.yaml') };
  const { stdout } = await promisify(execFile)(OPENSTACK_CLI!, ['--os-cloud', 'cb-twin', '--os-region-name', 'RegionOne', ...args, '-f', 'json'], { env, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout) as T;
}

async function zPrivateIp(): Promise<string> {
  const view = await cli.json<View>(['mcis', 'get', 'fw']);
  return view.vms.find((v) => v.name === 'z-1')!.privateIp!;
}

beforeAll(async () => {
  ({ audit } = await startCampaignTwin(cli));
  endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'status'])).endpoints.aws;
}, 120_000);
afterAll(async () => {
  for (const d of drivers.values()) d.close();
  await audit?.close();
  await cli.dispose();
});

describe('manifest firewall rules', () => {
  it('refuses bad rules with exit 2, naming each field, before any cloud call', async () => {
    write(2, '  firewall:\n    - { ports: "9000-80", from: ["subgroup:api", "10.0.0.1/8"] }\n  ssh: { from: [mcis] }\n');
    for (const cmd of [['plan', '-f', file()], ['apply', '-f', file(), '--auto-approve']]) {
      const r = await cli.run(cmd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('spec.firewall[0].ports');
      expect(r.stderr).toContain("spec.firewall[0].from[0]: no subgroup 'api' in this MCIS");
      expect(r.stderr).toContain('spec.firewall[0].from[1]: \'10.0.0.1/8\' has host bits set: write 10.0.0.0/8');
      expect(r.stderr).toContain('spec.ssh.from[0]');
    }
    expect(audit.records('fw').exists).toBe(false);
    expect(await awsGroups()).toEqual([]);
  }, 60_000);

  it('opens 8080 from the web VMs on every cloud, attached to the VMs at launch', async () => {
    write(2);
    await apply();
    const web = await webSources();
    expect(web).toHaveLength(4);
    expect(await awsRules()).toEqual({ 'tcp 8080-8080': web, 'tcp 22-22': ['0.0.0.0/0'] });
    // The web instances carry the MCIS group (and only it: it carries SSH itself).
    const client = ec2({ endpoint, stateDir: cli.twinDir }, AWS.region);
    const r = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['fw'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
    client.destroy();
    const [group] = await awsGroups();
    expect(r.Reservations?.flatMap((x) => x.Instances ?? []).map((i) => (i.SecurityGroups ?? []).map((g) => g.GroupId))).toEqual([[group!.GroupId], [group!.GroupId]]);
    expect((await cloudRules(GCP)).rules).toEqual({ 'tcp 8080-8080': web, 'tcp 22-22': ['0.0.0.0/0'] });
    // gcloud and the openstack client (Python start-ups, seconds each) look side by side.
    const gcloudLooks = async () => {
      if (GCLOUD) {
        // What gcloud lists: rules targeting the MCIS's network tag, and that tag on its instance.
        type Rule = { name: string; priority: number; allowed?: Array<{ IPProtocol: string; ports: string[] }>; sourceRanges: string[]; targetTags: string[] };
        const rules = (await gcloudJson<Rule[]>(['compute', 'firewall-rules', 'list'])).filter((r) => r.targetTags?.includes(FW));
        expect(rules.map((r) => [r.priority, r.allowed, r.sourceRanges])).toEqual([
          [900, [{ IPProtocol: 'tcp', ports: ['22'] }], ['0.0.0.0/0']],
          [900, [{ IPProtocol: 'tcp', ports: ['8080'] }], web],
        ]);
        const g1 = (await cli.json<{ vms: Array<{ name: string; providerId: string }> }>(['mcis', 'get', 'fw'])).vms.find((v) => v.name === 'g-1')!;
        const [zone, instance] = g1.providerId.split('/') as [string, string];
        expect((await gcloudJson<{ tags: { items: string[] } }>(['compute', 'instances', 'describe', instance, `--zone=${zone}`])).tags.items).toEqual([FW]);
      }
    };
    expect(await cloudRules(AZURE)).toEqual({ rules: { 'tcp 8080-8080': web, 'tcp 22-22': ['0.0.0.0/0'], 'udp 9000-9000': ['0.0.0.0/0'] }, targets: [await zPrivateIp()] });
    for (const conn of [OPENSTACK, ALIBABA]) expect((await cloudRules(conn)).rules).toEqual({ 'tcp 8080-8080': web, 'tcp 22-22': ['0.0.0.0/0'] });
    const openstackLooks = async () => {
      if (OPENSTACK_CLI) {
        // What the openstack client lists: the MCIS group's ingress rules, and that group (only) on the server.
        type Rule = { 'IP Protocol': string; 'Port Range': string; 'IP Range': string };
        const rules = await openstackJson<Rule[]>(['security', 'group', 'rule', 'list', recordedFirewall(OPENSTACK)!, '--ingress']);
        expect(rules.map((r) => `${r['IP Protocol']} ${r['Port Range']} ${r['IP Range']}`).sort()).toEqual(['tcp 22:22 0.0.0.0/0', ...web.map((w) => `tcp 8080:8080 ${w}`)].sort());
        const o1 = (await cli.json<{ vms: Array<{ name: string; providerId: string }> }>(['mcis', 'get', 'fw'])).vms.find((v) => v.name === 'o-1')!;
        expect((await openstackJson<{ security_groups: Array<{ name: string }> }>(['server', 'show', o1.providerId])).security_groups).toEqual([{ name: FW }]);
      }
    };
    await Promise.all([gcloudLooks(), openstackLooks()]);
    const again = await cli.json<Plan>(['plan', '-f', file()]);
    expect(again.changes).toEqual([]);
  }, 180_000);

  it('sees a rule revoked with the AWS API as drift, and apply puts it back', async () => {
    const [group] = await awsGroups();
    const client = ec2({ endpoint, stateDir: cli.twinDir }, AWS.region);
    const web = await webSources();
    await client.send(new RevokeSecurityGroupIngressCommand({ GroupId: group!.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: web[0] }] }] }));
    client.destroy();
    const p = await cli.json<Plan>(['plan', '-f', file()]);
    expect(p.changes.map((c) => [c.kind, c.drift, c.reason])).toEqual([['firewall', true, `the MCIS firewall on ${AWS.connection} was changed outside cbadm: tcp/8080-8080/${web[0]} missing`]]);
    expect((await cli.run(['mcis', 'drift', 'fw'])).code).not.toBe(0);
    await apply();
    expect((await awsRules())['tcp 8080-8080']).toEqual(web);
    expect((await cli.run(['mcis', 'drift', 'fw'])).code).toBe(0);
  }, 120_000);

  it('re-syncs the sources when web scales out and in', async () => {
    await cli.json(['mcis', 'scale', 'fw', '--subgroup', 'web', '--count', '3']);
    const three = await webSources();
    expect(three).toHaveLength(6);
    expect((await awsRules())['tcp 8080-8080']).toEqual(three);
    expect((await cloudRules(GCP)).rules['tcp 8080-8080']).toEqual(three);
    expect((await cloudRules(AZURE)).rules['tcp 8080-8080']).toEqual(three);
    for (const conn of [OPENSTACK, ALIBABA]) expect((await cloudRules(conn)).rules['tcp 8080-8080']).toEqual(three);
    await cli.json(['mcis', 'scale', 'fw', '--subgroup', 'web', '--count', '1']);
    const one = await webSources();
    expect(one).toHaveLength(2);
    for (const rules of [await awsRules(), ...(await Promise.all([GCP, AZURE, OPENSTACK, ALIBABA].map(cloudRules))).map((r) => r.rules)]) expect(rules['tcp 8080-8080']).toEqual(one);
  }, 240_000);

  it('plans the rule removed and apply removes it from every cloud; spec.ssh narrows SSH', async () => {
    write(1, '  ssh: { from: ["127.0.0.0/8"] }\n');
    const p = await cli.json<Plan>(['plan', '-f', file()]);
    expect(p.changes.map((c) => [c.op, c.kind, c.reason])).toEqual([
      ['update', 'firewall', 'rule added: tcp 22 from 127.0.0.0/8 (spec.ssh)'],
      ['update', 'firewall', 'rule removed: tcp 8080 from subgroup:web (MCIS-wide)'],
    ]);
    const text = await cli.run(['plan', '-f', file()]);
    expect(text.stdout).toMatch(/~ firewall\s.*rule removed: tcp 8080 from subgroup:web/);
    await apply();
    const narrowed = { 'tcp 22-22': ['127.0.0.0/8'] };
    expect(await awsRules()).toEqual(narrowed);
    expect((await cloudRules(GCP)).rules).toEqual(narrowed);
    expect((await cloudRules(AZURE)).rules).toEqual({ ...narrowed, 'udp 9000-9000': ['0.0.0.0/0'] });
    for (const conn of [OPENSTACK, ALIBABA]) expect((await cloudRules(conn)).rules).toEqual(narrowed);
    // cbadm reaches the VMs over loopback, inside the narrowed range.
    const exec = await cli.json<Array<{ exitCode: number }>>(['mcis', 'exec', 'fw', '--', 'true']);
    expect(exec.map((e) => e.exitCode)).toEqual([0, 0, 0, 0, 0]);
  }, 180_000);

  it('apply revokes every rule in the clouds when the manifest drops all of them', async () => {
    write(1, '', false);
    const p = await cli.json<Plan>(['plan', '-f', file()]);
    expect(p.changes.map((c) => [c.op, c.kind, c.reason])).toEqual([
      ['update', 'firewall', 'rule removed: tcp 22 from 127.0.0.0/8 (spec.ssh)'],
      ['update', 'firewall', 'rule removed: udp 9000 from 0.0.0.0/0 (subgroup z)'],
    ]);
    await apply();
    // The objects stay (the VMs are attached to them) holding SSH from anywhere, as the default network does.
    const open = { 'tcp 22-22': ['0.0.0.0/0'] };
    expect(await awsRules()).toEqual(open);
    for (const conn of [GCP, OPENSTACK, ALIBABA]) expect((await cloudRules(conn)).rules).toEqual(open);
    expect((await cloudRules(AZURE)).rules).toEqual(open);
    expect((await cli.json<Plan>(['plan', '-f', file()])).changes).toEqual([]);
    const exec = await cli.json<Array<{ exitCode: number }>>(['mcis', 'exec', 'fw', '--', 'true']);
    expect(exec.map((e) => e.exitCode)).toEqual([0, 0, 0, 0, 0]);
  }, 180_000);

  it('mcis delete leaves no firewall object behind', async () => {
    await cli.json(['mcis', 'delete', 'fw', '--force', '--yes']);
    expect(await awsGroups()).toEqual([]);
    // GCE firewall rules are the project's: none may target the MCIS's tag any more.
    expect((await cloudRules(GCP)).rules).toEqual({});
    // Azure: the NSG went with the connection's default network (its last user was this MCIS).
    expect(await (await driverFor(AZURE)).network.findDefault({ name: 'cb-default-twin-azure-koreacentral', tags: { 'cb-managed': 'true', 'cb-connection': AZURE } })).toBeUndefined();
    // Neutron and ECS: no MCIS group left in the project or the VPC.
    for (const conn of [OPENSTACK, ALIBABA]) expect(await (await driverFor(conn)).firewall!.list(networkOf(conn)!)).toEqual([]);
  }, 180_000);

  it('attaches the VMs of an MCIS created without rules when apply adds its first rule', async () => {
    const late = join(cli.home, 'late.yaml');
    const subgroups = [
      { name: 'a', connection: AWS.connection, count: 1, spec: 't3.micro' },
      { name: 'g', connection: GCP, count: 1, spec: 'e2-small' },
      ...(OPENSTACK_CLI ? [{ name: 'o', connection: OPENSTACK, count: 1, spec: 'm1.small' }] : []),
    ];
    writeFileSync(late, manifestYaml('late', subgroups));
    const o1 = async () => (await cli.json<{ vms: Array<{ name: string; providerId: string }> }>(['mcis', 'get', 'late'])).vms.find((v) => v.name === 'o-1')!.providerId;
    const serverGroups = async () => (await openstackJson<{ security_groups: Array<{ name: string }> }>(['server', 'show', await o1()])).security_groups.map((g) => g.name);
    await cli.json(['apply', '-f', late, '--auto-approve']);
    const client = ec2({ endpoint, stateDir: cli.twinDir }, AWS.region);
    const groupsOfA = async () => {
      const r = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['late'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
      return r.Reservations?.flatMap((x) => x.Instances ?? []).flatMap((i) => (i.SecurityGroups ?? []).map((g) => g.GroupName));
    };
    expect(await groupsOfA()).toEqual([`cb-default-${AWS.connection}-sg`]);
    const g1 = (await cli.json<{ vms: Array<{ name: string; providerId: string }> }>(['mcis', 'get', 'late'])).vms.find((v) => v.name === 'g-1')!;
    expect(await gceTags(g1.providerId)).toEqual([]);
    if (OPENSTACK_CLI) expect(await serverGroups()).toEqual([`cb-default-${OPENSTACK}`]);

    writeFileSync(late, manifestYaml('late', subgroups) + '  firewall: [{ ports: "8080", from: [mcis] }]\n');
    await cli.json(['apply', '-f', late, '--auto-approve']);
    expect(await groupsOfA()).toEqual(['cb-default-late']);
    expect(await gceTags(g1.providerId)).toEqual(['cb-default-late']);
    // Neutron: the server's port now has the MCIS group instead of the default one.
    if (OPENSTACK_CLI) expect(await serverGroups()).toEqual(['cb-default-late']);
    client.destroy();
    await cli.json(['mcis', 'delete', 'late', '--force', '--yes']);
  }, 180_000);

  it('connection cleanup removes the firewall of an MCIS no record holds any more', async () => {
    const lost = join(cli.home, 'lost.yaml');
    const subgroups = [
      { name: 'a', connection: AWS.connection, count: 1, spec: 't3.micro' },
      { name: 'g', connection: GCP, count: 1, spec: 'e2-small' },
    ];
    writeFileSync(lost, manifestYaml('lost', subgroups) + '  firewall: [{ ports: "8080", from: [mcis] }]\n');
    await cli.json(['apply', '-f', lost, '--auto-approve']);
    const gcpNet = networkOf(GCP)!;
    // A store restored from a copy older than the MCIS: the clouds hold it, no record does.
    const store = new SqliteStateStore(homePaths(cli.home).db);
    for (const v of store.listVms('default', 'lost')) store.deleteVm('default', 'lost', v.name);
    store.deleteMcis('default', 'lost');
    store.close();
    const client = ec2({ endpoint, stateDir: cli.twinDir }, AWS.region);
    const lostGroups = async () => (await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['lost'] }] }))).SecurityGroups ?? [];
    const [group] = await lostGroups();
    expect(group?.GroupName).toBe('cb-default-lost');
    const aws = await cli.json<{ found: Array<{ kind: string; id: string }>; failed: unknown[] }>(['connection', 'cleanup', AWS.connection]);
    expect(aws.found.filter((o) => o.kind !== 'vm').map((o) => o.kind).sort()).toEqual(['firewall', 'keypair', 'network']);
    expect(aws.found.find((o) => o.kind === 'firewall')?.id).toBe(group!.GroupId);
    expect(await lostGroups()).toEqual([]);
    client.destroy();
    const read = () => driverFor(GCP).then((d) => d.firewall!.read({ id: 'cb-default-lost', name: 'cb-default-lost' }, gcpNet));
    expect((await read()).rules).not.toEqual([]);
    const gcp = await cli.json<{ found: Array<{ kind: string; id: string }> }>(['connection', 'cleanup', GCP]);
    expect(gcp.found.filter((o) => o.kind === 'firewall')).toEqual([{ kind: 'firewall', id: 'cb-default-lost' }]);
    expect((await read()).rules).toEqual([]);
  }, 180_000);
});

