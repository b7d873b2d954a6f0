/**
 * End to end: `cbadm k8s` against a Cloud-Twin whose Ubuntu 22.04 VMs carry the simulated node
 * runtime. A cluster over three clouds (GCP and Azure twin connections when the twin offers them,
 * else three AWS regions), one on OpenStack and Alibaba, the real kubectl against the simulated API, node add/remove, a create
 * killed mid-way and re-run, a node that fails to join, bad manifests, delete.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';
import { ec2, twinAdminFetch } from './twin-ec2.js';

type Node = { name: string; role: string; status: string; step: string | null; region: string; provider: string; error: string | null };
type Cluster = { name: string; phase: string; reason: string | null; endpoint: string; nodes: Node[]; mcis: string[] };
type K8sNode = { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; status: { conditions: Array<{ type: string; status: string }> } };

// The user's home for ~/.kube/config: a temp dir, for cbadm and kubectl alike.
const kubeHome = mkdtempSync(join(tmpdir(), 'cb-k8s-home-'));
// The twin's default isolation: as root the nodes' firewalls are enforced, so kubectl here reaches
// 6443 only because k8s create opens it to where cbadm runs (--api-access, default 0.0.0.0/0).
const cli = new Cli({ env: { HOME: kubeHome, KUBECONFIG: '' } });
const kubectlPath = optionalTool('kubectl', 'apt-get install -y kubernetes-client');
const openstackCli = optionalTool('openstack', 'apt-get install -y python3-openstackclient');
let conns: string[] = [];
let adminUrl = '';
let awsEndpoint = '';

/** One connection per cloud where the twin has them: the 3-cloud cluster. */
function pick(prefix: string, preferred: string, fallback: string): string {
  return conns.includes(preferred) ? preferred : (conns.find((c) => c.startsWith(prefix)) ?? fallback);
}

function clusterYaml(name: string, workers: Array<{ name: string; connection: string; count: number }>, extra = ''): string {
  return [
    'apiVersion: cloud-barista.io/v1alpha1',
    'kind: K8sCluster',
    `metadata: { name: ${name} }`,
    'spec:',
    '  controlPlane: { name: cp, connection: twin-aws-ap-northeast-2, count: 1, spec: t3.medium }',
    '  workers:',
    ...workers.map((w) => `    - { name: ${w.name}, connection: ${w.connection}, count: ${w.count}, spec: ${specFor(w.connection)} }`),
    extra,
    '',
  ].join('\n');
}
function specFor(conn: string): string {
  if (conn.startsWith('twin-openstack')) return 'm1.medium';
  if (conn.startsWith('twin-alibaba')) return 'ecs.g7.large';
  return conn.startsWith('twin-gcp') ? 'e2-medium' : conn.startsWith('twin-azure') ? 'Standard_B2s' : 't3.medium';
}

function kubectl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(kubectlPath!, args, { encoding: 'utf8', env: { ...process.env, HOME: kubeHome, KUBECONFIG: '' }, timeout: 30_000 });
}

beforeAll(async () => {
  const up = await cli.json<{ adminUrl: string; endpoints: { aws: string } }>(['twin', 'up', '--boot-delay', '200ms']);
  adminUrl = up.adminUrl;
  awsEndpoint = up.endpoints.aws;
  conns = (await cli.json<{ connections: Array<{ name: string }> }>(['twin', 'connect'])).connections.map((c) => c.name);
}, 120_000);
afterAll(async () => {
  await cli.dispose();
  rmSync(kubeHome, { recursive: true, force: true });
});

describe('cbadm k8s on Cloud-Twin', () => {
  it('rejects bad manifests before creating any VM', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['no-cp', clusterYaml('bad', [{ name: 'w', connection: 'twin-aws-us-east-1', count: 1 }]).replace(/ {2}controlPlane:.*\n/, ''), /spec\.controlPlane[\s\S]*needs a control plane/],
      ['even', clusterYaml('bad', []).replace('count: 1, spec: t3.medium }', 'count: 2, spec: t3.medium }').replace('  workers:\n', ''), /odd number/],
      ['cni', clusterYaml('bad', [], '  kubernetes: { cni: weave }').replace('  workers:\n', ''), /unknown CNI 'weave'/],
      ['cidr', clusterYaml('bad', [], '  kubernetes: { podCidr: 10.96.0.0/16, serviceCidr: 10.96.0.0/12 }').replace('  workers:\n', ''), /overlaps serviceCidr/],
    ];
    for (const [file, text, why] of cases) {
      writeFileSync(join(cli.home, `${file}.yaml`), text);
      const r = await cli.run(['k8s', 'create', '-f', join(cli.home, `${file}.yaml`), '--json']);
      expect(r.code, `${file}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout).toMatch(why);
    }
    // A CIDR with host bits for the API access: the flag and the fix are named, nothing is made.
    writeFileSync(join(cli.home, 'ok.yaml'), clusterYaml('bad', []).replace('  workers:\n', ''));
    const access = await cli.run(['k8s', 'create', '-f', join(cli.home, 'ok.yaml'), '--api-access', '127.0.0.1/32,10.0.0.1/8']);
    expect(access.code).toBe(2);
    expect(access.stderr).toContain('--api-access[1]');
    expect(access.stderr).toContain("'10.0.0.1/8' has host bits set: write 10.0.0.0/8");
    expect(await cli.json<unknown[]>(['mcis', 'list'])).toEqual([]);
    expect(await cli.json<unknown[]>(['k8s', 'list'])).toEqual([]);
  });

  it('builds a 3-cloud cluster that the real kubectl sees, adds and removes nodes', async () => {
    const workers = [
      { name: 'w-gcp', connection: pick('twin-gcp-', 'twin-gcp-asia-northeast1', 'twin-aws-eu-west-1'), count: 1 },
      { name: 'w-azure', connection: pick('twin-azure-', 'twin-azure-koreacentral', 'twin-aws-ap-southeast-1'), count: 1 },
      { name: 'w-aws', connection: 'twin-aws-us-east-1', count: 1 },
    ];
    process.stderr.write(`k8s e2e workers on: ${workers.map((w) => w.connection).join(', ')}\n`);
    writeFileSync(join(cli.home, 'multi.yaml'), clusterYaml('multi', workers));
    // The twin's host is 127.0.0.1 to its VMs' firewalls: kubectl's only source here.
    const c = await cli.json<Cluster>(['k8s', 'create', '-f', join(cli.home, 'multi.yaml'), '--api-access', '127.0.0.1/32']);
    expect(c.phase).toBe('Provisioned');
    expect(c.nodes.map((n) => [n.name, n.role, n.status])).toEqual([
      ['cp-1', 'control-plane', 'Ready'],
      ['w-gcp-1', 'worker', 'Ready'],
      ['w-azure-1', 'worker', 'Ready'],
      ['w-aws-1', 'worker', 'Ready'],
    ]);
    expect((await cli.json<Cluster[]>(['k8s', 'list'])).map((x) => [x.name, x.phase])).toEqual([['multi', 'Provisioned']]);
    // The API port is open on the control plane's security group to the cluster's nodes and kubectl's --api-access only.
    const full = await cli.json<{ nodes: Array<{ name: string; publicIp: string }> }>(['k8s', 'get', 'multi']);
    const sgs = await ec2({ endpoint: awsEndpoint, stateDir: cli.twinDir }, 'ap-northeast-2').send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
    const api = sgs.SecurityGroups?.flatMap((g) => g.IpPermissions ?? []).find((p) => p.FromPort === 6443);
    expect(api?.IpRanges?.map((r) => r.CidrIp).sort()).toEqual([...full.nodes.map((n) => `${n.publicIp}/32`), '127.0.0.1/32'].sort());

    // The user's kubeconfig already holds another cluster: merging and deleting leave it alone.
    const userConfig = join(kubeHome, '.kube', 'config');
    mkdirSync(join(kubeHome, '.kube'), { recursive: true });
    writeFileSync(userConfig, 'apiVersion: v1\nkind: Config\nclusters:\n- { name: prod, cluster: { server: "https://prod.example:6443" } }\nusers:\n- { name: me, user: { token: t } }\ncontexts:\n- { name: prod, context: { cluster: prod, user: me } }\ncurrent-context: prod\n', { mode: 0o600 });
    const kc = await cli.json<{ file: string; context: string; server: string }>(['k8s', 'kubeconfig', 'multi', '--merge'], 0);
    expect(kc.file).toBe(join(kubeHome, '.kube', 'config'));
    // Merging twice keeps one context of that name and leaves others alone.
    const r2 = await cli.run(['k8s', 'kubeconfig', 'multi', '--merge', '--json']);
    expect(r2.code).toBe(0);
    if (kubectlPath) {
      const nodes = JSON.parse(kubectl(['--context', 'multi', 'get', 'nodes', '-o', 'json']).stdout) as { items: K8sNode[] };
      expect(nodes.items).toHaveLength(4);
      for (const n of nodes.items) {
        expect(n.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
        expect(n.metadata.labels['topology.kubernetes.io/region']).toBeTruthy();
        expect(n.metadata.labels['cloud-barista.io/csp']).toMatch(/^(aws|gcp|azure)$/);
        // flannel's tunnels end at the public IP, not the private one the cloud NATs it to.
        expect(n.metadata.annotations['flannel.alpha.coreos.com/public-ip-overwrite']).toBe(full.nodes.find((x) => x.name === n.metadata.name)?.publicIp);
      }
      const wide = kubectl(['--context', 'multi', 'get', 'nodes', '-o', 'wide', '-L', 'topology.kubernetes.io/region']);
      expect(wide.stdout).toMatch(/cp-1\s+Ready\s+control-plane/);
      expect(wide.stdout).toContain('INTERNAL-IP');
    }

    const added = await cli.json<Cluster>(['k8s', 'node', 'add', 'multi', '--connection', 'twin-aws-us-west-2', '--count', '1']);
    expect(added.nodes.map((n) => n.name)).toContain('add1-1');
    expect(added.nodes.every((n) => n.status === 'Ready')).toBe(true);
    const removed = await cli.json<Cluster>(['k8s', 'node', 'remove', 'multi', 'w-aws-1', '--yes']);
    expect(removed.nodes.map((n) => n.name)).toEqual(['cp-1', 'w-gcp-1', 'w-azure-1', 'add1-1']);
    // The removed node's address no longer reaches the cluster's ports.
    const goneIp = full.nodes.find((n) => n.name === 'w-aws-1')!.publicIp;
    const after = await ec2({ endpoint: awsEndpoint, stateDir: cli.twinDir }, 'ap-northeast-2').send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
    const apiAfter = after.SecurityGroups?.flatMap((g) => g.IpPermissions ?? []).find((p) => p.FromPort === 6443);
    expect(apiAfter?.IpRanges?.map((r) => r.CidrIp)).not.toContain(`${goneIp}/32`);
    expect(apiAfter?.IpRanges?.map((r) => r.CidrIp)).toContain('127.0.0.1/32');
    if (kubectlPath) {
      const names = kubectl(['--context', 'multi', 'get', 'nodes', '-o', 'name']).stdout.trim().split('\n').sort();
      expect(names).toEqual(['node/add1-1', 'node/cp-1', 'node/w-azure-1', 'node/w-gcp-1']);
      // kubectl delete node works against the simulated API too.
      expect(kubectl(['--context', 'multi', 'delete', 'node', 'add1-1']).status).toBe(0);
      expect(kubectl(['--context', 'multi', 'get', 'nodes', '-o', 'name']).stdout).not.toContain('add1-1');
    }
    const refused = await cli.run(['k8s', 'node', 'remove', 'multi', 'cp-1', '--yes', '--json']);
    expect(refused.code).toBe(2);

    const running = (await (await twinAdminFetch(cli.twinDir, adminUrl, '/instances')).json()) as Array<{ provider: string; state: string }>;
    expect([...new Set(running.filter((i) => i.state === 'running').map((i) => i.provider))].sort()).toEqual([...new Set(workers.map((w) => w.connection.split('-')[1]))].sort());
    const del = await cli.json<{ mcisDeleted: string[]; kubeconfigs: Array<{ file: string; outcome: string }> }>(['k8s', 'delete', 'multi', '--yes']);
    expect(del.mcisDeleted.sort()).toEqual(['multi', 'multi-add1']);
    // The context it merged is gone from the user's kubeconfig, the user's own entries are not.
    expect(del.kubeconfigs).toEqual([{ file: userConfig, outcome: 'context' }]);
    const left = readFileSync(userConfig, 'utf8');
    expect(left).not.toContain('multi');
    expect(left.match(/name: (prod|me)$/gm)).toEqual(['name: prod', 'name: me', 'name: prod']);
    expect(left).toContain('current-context: prod');
    if (kubectlPath) expect(kubectl(['config', 'get-contexts', '-o', 'name']).stdout.trim()).toBe('prod');
    expect(await cli.json<unknown[]>(['mcis', 'list'])).toEqual([]);
    const instances = (await (await twinAdminFetch(cli.twinDir, adminUrl, '/instances')).json()) as Array<{ state: string }>;
    expect(instances.filter((i) => i.state === 'running' || i.state === 'pending' || i.state === 'stopped')).toEqual([]);
  }, 120_000);

  it('builds a cluster on OpenStack and Alibaba: the control plane on Nova, a worker on ECS, the cluster ports open to the nodes only', async () => {
    const file = join(cli.home, 'osali.yaml');
    const yaml = clusterYaml('osali', [{ name: 'w', connection: 'twin-alibaba-ap-northeast-2', count: 1 }]).replace('connection: twin-aws-ap-northeast-2, count: 1, spec: t3.medium', 'connection: twin-openstack-regionone, count: 1, spec: m1.medium');
    writeFileSync(file, yaml);
    const c = await cli.json<Cluster>(['k8s', 'create', '-f', file]);
    expect(c.phase).toBe('Provisioned');
    expect(c.nodes.map((n) => [n.name, n.role, n.status, n.provider])).toEqual([
      ['cp-1', 'control-plane', 'Ready', 'openstack'],
      ['w-1', 'worker', 'Ready', 'alibaba'],
    ]);
    const full = await cli.json<{ nodes: Array<{ name: string; publicIp: string }> }>(['k8s', 'get', 'osali']);
    if (openstackCli) {
      // The API port on the control plane's Neutron group admits the cluster's nodes, and kubectl from anywhere (the default --api-access).
      const env = { ...process.env, OS_CLIENT_CONFIG_FILE: join(cli.twinDir, 'clouds.yaml') };
      const out = spawnSync(openstackCli, ['--os-cloud', 'cb-twin', 'security', 'group', 'rule', 'list', 'cb-default-twin-openstack-regionone', '--ingress', '-f', 'json'], { encoding: 'utf8', env, timeout: 60_000 });
      const rules = JSON.parse(out.stdout) as Array<{ 'Port Range': string; 'IP Range': string }>;
      expect(rules.filter((r) => r['Port Range'] === '6443:6443').map((r) => r['IP Range']).sort()).toEqual([...full.nodes.map((n) => `${n.publicIp}/32`), '0.0.0.0/0'].sort());
    }
    if (kubectlPath) {
      const kc = await cli.json<{ file: string }>(['k8s', 'kubeconfig', 'osali']);
      const nodes = JSON.parse(kubectl(['--kubeconfig', kc.file, 'get', 'nodes', '-o', 'json']).stdout) as { items: K8sNode[] };
      expect(nodes.items.map((n) => [n.metadata.name, n.metadata.labels['cloud-barista.io/csp'], n.status.conditions.find((x) => x.type === 'Ready')?.status])).toEqual([
        ['cp-1', 'openstack', 'True'],
        ['w-1', 'alibaba', 'True'],
      ]);
    }
    expect((await cli.run(['k8s', 'delete', 'osali', '--yes'])).code).toBe(0);
    expect(await cli.json<unknown[]>(['mcis', 'list'])).toEqual([]);
  }, 120_000);

  it('places a node set by requirements and converges when a create killed mid-bootstrap is run again', async () => {
    await cli.json(['catalog', 'update', '--driver', 'aws']);
    const file = join(cli.home, 'again.yaml');
    // The worker names no connection or spec: the recommender picks the cheapest AWS spec near Tokyo.
    const workers = '  workers:\n    - { name: w, count: 1, requirements: { vcpu: 2, memory: 4, providers: [aws], near: Tokyo } }';
    writeFileSync(file, clusterYaml('again', []).replace('  workers:', workers));
    const child = cli.spawnRaw(['k8s', 'create', '-f', file]);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('k8s:init')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    const mid = await cli.json<Cluster>(['k8s', 'get', 'again']);
    expect(mid.phase).toBe('Provisioning');
    const done = await cli.json<Cluster>(['k8s', 'create', '-f', file]);
    expect(done.phase).toBe('Provisioned');
    expect(done.nodes.filter((n) => n.status === 'Ready')).toHaveLength(2);
    expect(done.nodes.find((n) => n.name === 'w-1')?.region).toBe('ap-northeast-1');
    await cli.json(['k8s', 'delete', 'again', '--yes']);
  }, 120_000);

  it('keeps a cluster of three control planes usable when the first one goes', async () => {
    const file = join(cli.home, 'ha.yaml');
    writeFileSync(file, clusterYaml('ha', []).replace('count: 1, spec: t3.medium }', 'count: 3, spec: t3.medium }').replace('  workers:\n', ''));
    const c = await cli.json<Cluster>(['k8s', 'create', '-f', file]);
    expect(c.phase).toBe('Provisioned');
    expect(c.nodes.map((n) => [n.name, n.role, n.status])).toEqual([
      ['cp-1', 'control-plane', 'Ready'],
      ['cp-2', 'control-plane', 'Ready'],
      ['cp-3', 'control-plane', 'Ready'],
    ]);
    // A control plane leaves with kubeadm reset (its etcd member goes) before its node is deleted.
    const removed = await cli.json<Cluster>(['k8s', 'node', 'remove', 'ha', 'cp-3', '--yes']);
    expect(removed.nodes.map((n) => n.name)).toEqual(['cp-1', 'cp-2']);
    // The first control plane's VM goes: the kubeconfig now points at cp-2's own API server.
    await cli.json(['mcis', 'terminate', 'ha', '--yes', '--vm', 'cp-1']);
    const ip = (await cli.json<{ nodes: Array<{ name: string; publicIp: string }> }>(['k8s', 'get', 'ha'])).nodes.find((n) => n.name === 'cp-2')!.publicIp;
    const kc = await cli.json<{ file: string; server: string }>(['k8s', 'kubeconfig', 'ha']);
    expect(kc.server).toBe(`https://${ip}:6443`);
    if (kubectlPath) {
      const r = kubectl(['--kubeconfig', kc.file, 'get', 'nodes', '-o', 'json']);
      expect(r.stderr).toBe('');
      const ready = Object.fromEntries((JSON.parse(r.stdout) as { items: K8sNode[] }).items.map((n) => [n.metadata.name, n.status.conditions.find((x) => x.type === 'Ready')?.status]));
      expect(ready).toEqual({ 'cp-1': 'Unknown', 'cp-2': 'True' });
    }
    const del = await cli.run(['k8s', 'delete', 'ha', '--yes']);
    expect(del.code).toBe(0);
    // cbadm's own file held only this cluster: it goes, and the output says so.
    expect(del.stdout).toBe(`Deleted cluster ha and MCIS ha\nDeleted ${kc.file} (it held only this cluster)\n`);
    expect(existsSync(kc.file)).toBe(false);
  }, 120_000);

  it('names the node and the step when a node fails to join', async () => {
    const vms = join(cli.home, 'vms.yaml');
    writeFileSync(vms, manifestYaml('own', [
      { name: 'cp', connection: 'twin-aws-ap-northeast-2', count: 1, spec: 't3.medium' },
      { name: 'w', connection: 'twin-aws-us-east-1', count: 2, spec: 't3.medium' },
    ]));
    await cli.json(['mcis', 'create', '-f', vms]);
    // A hardened image that turns IP forwarding off after our sysctl file: kubeadm's preflight refuses.
    const sabotage = await cli.run(['mcis', 'exec', 'own', '--vm', 'w-2', '--', 'mkdir -p "$CB_SYSROOT/etc/sysctl.d" && echo "net.ipv4.ip_forward = 0" > "$CB_SYSROOT/etc/sysctl.d/zz-hardening.conf"']);
    expect(sabotage.code).toBe(0);
    const file = join(cli.home, 'own.yaml');
    // A load balancer of the user's in front of the control plane (a TCP proxy here): the manifest
    // names it, and kubeadm, the joins and the kubeconfig go through it.
    const cpIp = (await cli.json<{ vms: Array<{ name: string; publicIp: string }> }>(['mcis', 'get', 'own'])).vms.find((v) => v.name === 'cp-1')!.publicIp;
    const lb = createServer((down) => {
      const up = connect(6443, cpIp);
      down.pipe(up).pipe(down);
      up.on('error', () => down.destroy());
      down.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => lb.listen(0, '127.0.0.1', () => r()));
    const lbEndpoint = `127.0.0.1:${(lb.address() as AddressInfo).port}`;
    writeFileSync(file, clusterYaml('own', [{ name: 'w', connection: 'twin-aws-us-east-1', count: 2 }], `  kubernetes: { controlPlaneEndpoint: "${lbEndpoint}" }`));
    const r = await cli.run(['k8s', 'create', '-f', file, '--mcis', 'own', '--json']);
    expect(r.code).toBe(1);
    const c = await cli.json<Cluster>(['k8s', 'get', 'own']);
    expect(c.phase).toBe('Failed');
    expect(c.endpoint).toBe(lbEndpoint);
    expect(c.reason).toMatch(/node w-2: step join failed: .*ip_forward/);
    expect(c.nodes.find((n) => n.name === 'w-2')).toMatchObject({ status: 'Failed', step: 'join' });
    expect(c.nodes.find((n) => n.name === 'w-1')?.status).toBe('Joined');
    const kc = await cli.json<{ file: string; server: string }>(['k8s', 'kubeconfig', 'own']);
    expect(kc.server).toBe(`https://${lbEndpoint}`);
    if (kubectlPath) {
      // Asynchronously: the proxy runs in this process.
      const viaLb = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        const child = spawn(kubectlPath, ['--kubeconfig', kc.file, 'get', 'nodes', '-o', 'name'], { env: { ...process.env, HOME: kubeHome, KUBECONFIG: '' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', () => resolve({ stdout, stderr }));
      });
      expect(viaLb.stderr).toBe('');
      expect(viaLb.stdout.trim().split('\n').sort()).toEqual(['node/cp-1', 'node/w-1']);
    }
    lb.close();
    // Deleting a cluster made on a given MCIS leaves that MCIS to its owner.
    expect((await cli.json<{ mcisDeleted: string[] }>(['k8s', 'delete', 'own', '--yes'])).mcisDeleted).toEqual([]);
    await cli.json(['mcis', 'delete', 'own', '--yes', '--force']);
  }, 120_000);
});
