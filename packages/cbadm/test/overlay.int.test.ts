/**
 * End to end, as root, on the isolated twin: an MCIS over AWS, GCP and Azure with
 * `spec.network.overlay` on is one WireGuard network. Every VM pings every other over it (the
 * `mcis network status` matrix has no hole), a TCP service on a GCP VM's overlay address answers a
 * VM on Azure by its overlay name, scale out joins the new VM to every peer, a resumed VM rejoins
 * with its address, hub-and-spoke (`--topology hub`) keeps the matrix whole and moves the hub when
 * it is suspended, and `mcis network disable` removes every interface, key and name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot, optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';
import { ec2 } from './twin-ec2.js';

type View = { overlay: { cidr: string; port: number; topology: string; hubs?: string[] } | null; vms: Array<{ name: string; overlayIp: string | null; publicIp: string | null }> };
type Exec = Array<{ vm: string; exitCode: number | null; stdout: string; stderr: string }>;
type Status = { enabled: boolean; topology: string | null; vms: Array<{ vm: string; up: boolean; error?: string; peers: Array<{ to: string; handshakeAgeSec: number | null; rttMs: number | null; via?: string }> }> };

const ROOT = needsRoot('the overlay between isolated twin VMs (network namespaces, /dev/net/tun)');
const TOOLS = ['wg', 'wireguard-go', 'busybox', 'ping'].every((t) => optionalTool(t, 'apt-get install -y wireguard-tools wireguard-go busybox iputils-ping') !== undefined);
const cli = new Cli();
const file = () => join(cli.home, 'mesh.yaml');

function write(awsCount: number): void {
  const yaml = manifestYaml('mesh', [
    { name: 'a', connection: 'twin-aws-ap-northeast-2', count: awsCount, image: 'debian-12' },
    { name: 'g', connection: 'twin-gcp-asia-northeast3', count: 1, spec: 'e2-small', image: 'debian-12' },
    { name: 'z', connection: 'twin-azure-koreacentral', count: 1, spec: 'Standard_B1s', image: 'debian-12' },
  ]);
  writeFileSync(file(), `${yaml}  network:\n    overlay: { cidr: 10.77.0.0/16 }\n`);
}

/**
 * `mcis network status`, asked again (up to three times) while some pair has no ping reply yet: a
 * handshake sent before a peer's firewall took the new rule is dropped, and WireGuard retries it
 * only after 5 s, longer than a status waits.
 */
async function settledStatus(mcis = 'mesh'): Promise<Status> {
  let s = await cli.json<Status>(['mcis', 'network', 'status', mcis]);
  for (let i = 1; i < 3 && s.vms.some((v) => v.error || v.peers.some((p) => p.rttMs === null)); i++) s = await cli.json<Status>(['mcis', 'network', 'status', mcis]);
  return s;
}

/** Every VM sees every other: a handshake and a ping reply over the overlay. */
function expectFullMatrix(s: Status, names: string[]): void {
  expect(s.vms.map((v) => v.vm).sort()).toEqual([...names].sort());
  for (const v of s.vms) {
    expect(v.error, v.vm).toBeUndefined();
    expect(v.peers.map((p) => p.to).sort(), v.vm).toEqual(names.filter((n) => n !== v.vm).sort());
    for (const p of v.peers) {
      expect(p.rttMs, `${v.vm} → ${p.to} ping`).not.toBeNull();
      expect(p.handshakeAgeSec, `${v.vm} → ${p.to} handshake`).not.toBeNull();
    }
  }
}

describe.skipIf(!ROOT || !TOOLS)('the MCIS overlay across clouds', () => {
  beforeAll(async () => {
    await cli.json(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    await cli.json(['twin', 'connect']);
    write(1);
    await cli.json(['mcis', 'create', '-f', file()]);
  }, 120_000);

  afterAll(() => cli.dispose());

  it('gives each VM a stable overlay address and a full mesh on AWS, GCP and Azure', async () => {
    const view = await cli.json<View>(['mcis', 'get', 'mesh']);
    expect(view.overlay).toEqual({ cidr: '10.77.0.0/16', port: 51820, topology: 'mesh' });
    const ips = view.vms.map((v) => v.overlayIp);
    expect(ips.every((ip) => ip?.startsWith('10.77.'))).toBe(true);
    // EC2's own view of the MCIS group: WireGuard's port open to the VMs' public addresses, no private one.
    const endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'status'])).endpoints.aws;
    const client = ec2({ endpoint, stateDir: cli.twinDir }, 'ap-northeast-2');
    try {
      const groups = (await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:cb-mcis', Values: ['mesh'] }] }))).SecurityGroups ?? [];
      const udp = groups.flatMap((g) => g.IpPermissions ?? []).filter((p) => p.IpProtocol === 'udp');
      expect(udp.map((p) => `${p.FromPort}-${p.ToPort}`)).toEqual(['51820-51820']);
      expect(udp[0]!.IpRanges!.map((r) => r.CidrIp).sort()).toEqual(view.vms.map((v) => `${v.publicIp}/32`).sort());
    } finally {
      client.destroy();
    }
    expect(new Set(ips).size).toBe(3);
    expectFullMatrix(await settledStatus(), ['a-1', 'g-1', 'z-1']);
    // A bad network is refused by field, before anything changes.
    const bad = await cli.run(['mcis', 'network', 'enable', 'mesh', '--cidr', '8.8.0.0/16']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cidr '8\.8\.0\.0\/16' is not a private range/);
    expect((await cli.json<View>(['mcis', 'get', 'mesh'])).overlay?.cidr).toBe('10.77.0.0/16');
    // The private key lives on the VM only, readable by root alone.
    const keys = await cli.json<Exec>(['mcis', 'exec', 'mesh', '--', 'stat -c %a /etc/cb-overlay/private.key']);
    expect(keys.map((k) => k.stdout.trim())).toEqual(['600', '600', '600']);
  }, 60_000);

  it('carries TCP between clouds on the overlay addresses and names', async () => {
    // Two one-shot servers; the client retries until each listens (no sleep).
    await cli.json<Exec>(['mcis', 'exec', 'mesh', '--vm', 'g-1', '--', 'for p in 7000 7001; do nohup busybox nc -l -p $p -e echo from-gcp </dev/null >/dev/null 2>&1 & done']);
    const ip = (await cli.json<View>(['mcis', 'get', 'mesh'])).vms.find((v) => v.name === 'g-1')!.overlayIp!;
    const ask = (host: string, port: number) => `i=0; until out=$(busybox nc -w 2 ${host} ${port} </dev/null) && [ -n "$out" ]; do i=$((i+1)); [ $i -gt 200 ] && break; done; echo "$out"`;
    const r = await cli.json<Exec>(['mcis', 'exec', 'mesh', '--vm', 'z-1', '--', `${ask(ip, 7000)}; ${ask('g-1.mesh', 7001)}`]);
    expect(r[0]?.stdout).toBe('from-gcp\nfrom-gcp\n');
  }, 60_000);

  it('joins a VM added by scale out to every peer', async () => {
    await cli.json(['mcis', 'scale', 'mesh', '--subgroup', 'a', '--count', '2']);
    const view = await cli.json<View>(['mcis', 'get', 'mesh']);
    expect(view.vms.find((v) => v.name === 'a-2')?.overlayIp).toMatch(/^10\.77\./);
    expectFullMatrix(await settledStatus(), ['a-1', 'a-2', 'g-1', 'z-1']);
  }, 90_000);

  it('brings a resumed VM back into the mesh with its address', async () => {
    const before = (await cli.json<View>(['mcis', 'get', 'mesh'])).vms.find((v) => v.name === 'g-1')?.overlayIp;
    await cli.json(['mcis', 'suspend', 'mesh', '--vm', 'g-1']);
    await cli.json(['mcis', 'resume', 'mesh', '--vm', 'g-1']);
    expect((await cli.json<View>(['mcis', 'get', 'mesh'])).vms.find((v) => v.name === 'g-1')?.overlayIp).toBe(before);
    expectFullMatrix(await settledStatus(), ['a-1', 'a-2', 'g-1', 'z-1']);
  }, 90_000);

  it('switches to hub-and-spoke: one hub per region forwards, spokes peer with it alone, a hub that stops is replaced', async () => {
    await cli.json(['mcis', 'network', 'enable', 'mesh', '--topology', 'hub']);
    expect((await cli.json<View>(['mcis', 'get', 'mesh'])).overlay).toMatchObject({ topology: 'hub', hubs: ['a-1', 'g-1', 'z-1'] });
    // Tunnels and forwarding: a-2 has one tunnel (to a-1) and forwards nothing; a-1 carries it for the other hubs.
    const shape = await cli.json<Exec>(['mcis', 'exec', 'mesh', '--', 'echo "$(wg show cbo0 peers | wc -l) $(cat /proc/sys/net/ipv4/conf/cbo0/forwarding)"']);
    expect(shape.map((r) => `${r.vm}: ${r.stdout.trim()}`).sort()).toEqual(['a-1: 3 1', 'a-2: 1 0', 'g-1: 2 1', 'z-1: 2 1']);
    const s = await settledStatus();
    expect(s.topology).toBe('hub');
    expectFullMatrix(s, ['a-1', 'a-2', 'g-1', 'z-1']);
    expect(s.vms.find((v) => v.vm === 'a-2')!.peers.map((p) => `${p.to} ${p.via ?? 'direct'}`)).toEqual(['a-1 direct', 'g-1 a-1', 'z-1 a-1']);
    // The AWS hub stops: a-2 takes over and the other hubs re-peer with it; it stays hub after a-1 is back.
    await cli.json(['mcis', 'suspend', 'mesh', '--vm', 'a-1']);
    expect((await cli.json<View>(['mcis', 'get', 'mesh'])).overlay?.hubs).toEqual(['a-2', 'g-1', 'z-1']);
    expectFullMatrix(await settledStatus(), ['a-2', 'g-1', 'z-1']);
    await cli.json(['mcis', 'resume', 'mesh', '--vm', 'a-1']);
    expect((await cli.json<View>(['mcis', 'get', 'mesh'])).overlay?.hubs).toEqual(['a-2', 'g-1', 'z-1']);
    expectFullMatrix(await settledStatus(), ['a-1', 'a-2', 'g-1', 'z-1']);
  }, 120_000);

  it('takes every interface, key and name away on disable', async () => {
    await cli.json(['mcis', 'network', 'disable', 'mesh']);
    const r = await cli.json<Exec>(['mcis', 'exec', 'mesh', '--', 'ip link show cbo0 >/dev/null 2>&1 && echo link; ls /etc/cb-overlay 2>/dev/null; grep -c cb-overlay /etc/hosts || true']);
    expect(r.map((x) => x.stdout.trim())).toEqual(['0', '0', '0', '0']);
    const view = await cli.json<View>(['mcis', 'get', 'mesh']);
    expect(view.overlay).toBeNull();
    expect(view.vms.map((v) => v.overlayIp)).toEqual([null, null, null, null]);
    expect((await cli.json<Status>(['mcis', 'network', 'status', 'mesh'])).enabled).toBe(false);
  }, 60_000);
});
