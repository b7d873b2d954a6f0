import { describe, expect, it } from 'vitest';
import { chooseHubs, overlaySources, planPeers, type TopologyMember } from './overlay-topology.js';

const CIDR = '10.77.0.0/16';
/** Two VMs on AWS Seoul, three on GCP Seoul, one on Azure: names out of order on purpose. */
const members: TopologyMember[] = [
  { name: 'a-2', connection: 'aws', overlayIp: '10.77.0.2' },
  { name: 'a-1', connection: 'aws', overlayIp: '10.77.0.1' },
  { name: 'g-3', connection: 'gcp', overlayIp: '10.77.0.5' },
  { name: 'g-1', connection: 'gcp', overlayIp: '10.77.0.3' },
  { name: 'g-2', connection: 'gcp', overlayIp: '10.77.0.4' },
  { name: 'z-1', connection: 'azure', overlayIp: '10.77.0.6' },
];
const peerNames = (plan: ReturnType<typeof planPeers>, vm: string) => plan.get(vm)!.peers.map((p) => p.name);

/** Whether `from` reaches `to`: directly, or through one peer that forwards (a hub) and has `to` as a direct peer. */
function reaches(plan: ReturnType<typeof planPeers>, ips: Map<string, string>, from: string, to: string): boolean {
  const carries = (vm: string, ip: string) => plan.get(vm)!.peers.find((p) => p.allowedIps.some((a) => a === `${ip}/32` || a === CIDR));
  const ip = ips.get(to)!;
  let at = from;
  for (let hop = 0; hop < 3; hop++) {
    const next = carries(at, ip);
    if (!next) return false;
    if (next.name === to) return true;
    if (!plan.get(next.name)!.forward) return false;
    at = next.name;
  }
  return false;
}

describe('overlay topology', () => {
  it('mesh: every VM peers with every other on its /32, nobody forwards', () => {
    const plan = planPeers(members, 'mesh', CIDR);
    expect(plan.size).toBe(6);
    for (const m of members) {
      expect(peerNames(plan, m.name)).toEqual(members.map((o) => o.name).filter((n) => n !== m.name).sort());
      expect(plan.get(m.name)!.forward).toBe(false);
    }
    expect(plan.get('a-1')!.peers.find((p) => p.name === 'g-2')!.allowedIps).toEqual(['10.77.0.4/32']);
  });

  it('hub: one hub per connection, the first VM by name; spokes peer with it alone and send the whole overlay to it', () => {
    const hubs = chooseHubs(members);
    expect(Object.fromEntries(hubs)).toEqual({ aws: 'a-1', gcp: 'g-1', azure: 'z-1' });
    const plan = planPeers(members, 'hub', CIDR);
    expect(plan.get('g-3')).toEqual({ forward: false, peers: [{ name: 'g-1', allowedIps: [CIDR] }] });
    expect(plan.get('a-2')).toEqual({ forward: false, peers: [{ name: 'a-1', allowedIps: [CIDR] }] });
    // A hub: the other hubs, each carrying its own spokes' /32s, then its own spokes.
    expect(plan.get('g-1')).toEqual({
      forward: true,
      peers: [
        { name: 'a-1', allowedIps: ['10.77.0.1/32', '10.77.0.2/32'] },
        { name: 'g-2', allowedIps: ['10.77.0.4/32'] },
        { name: 'g-3', allowedIps: ['10.77.0.5/32'] },
        { name: 'z-1', allowedIps: ['10.77.0.6/32'] },
      ],
    });
    expect(plan.get('z-1')!.peers.map((p) => p.name)).toEqual(['a-1', 'g-1']);
    // Tunnels grow with n, not n²: 3 spokes + 3 hubs' (2 hubs + spokes) = 3 + 2+1 + 2+2 + 2.
    expect([...plan.values()].reduce((n, p) => n + p.peers.length, 0)).toBe(12);
    expect(planPeers(members, 'mesh', CIDR).get('a-1')!.peers).toHaveLength(5);
  });

  it('hub: every VM reaches every other in at most two forwarding hops', () => {
    const ips = new Map(members.map((m) => [m.name, m.overlayIp]));
    const plan = planPeers(members, 'hub', CIDR);
    for (const a of members) for (const b of members) if (a !== b) expect(reaches(plan, ips, a.name, b.name), `${a.name} → ${b.name}`).toBe(true);
  });

  it('keeps the hub a connection had while it takes part, whatever joins with a smaller name', () => {
    const withFlag = members.map((m) => (m.name === 'g-2' ? { ...m, overlayHub: true } : m));
    const newcomer = { name: 'g-0', connection: 'gcp', overlayIp: '10.77.0.7' };
    expect(chooseHubs([...withFlag, newcomer]).get('gcp')).toBe('g-2');
    expect(chooseHubs([...withFlag].reverse()).get('gcp')).toBe('g-2');
  });

  it('re-plans a region whose hub went away: the next VM by name takes over and its spokes re-peer with it', () => {
    const before = planPeers(members, 'hub', CIDR);
    const without = members.filter((m) => m.name !== 'g-1').map((m) => (m.name === 'a-1' ? { ...m, overlayHub: true } : m));
    const hubs = chooseHubs(without);
    expect(hubs.get('gcp')).toBe('g-2');
    expect(hubs.get('aws')).toBe('a-1');
    const after = planPeers(without, 'hub', CIDR, hubs);
    expect(after.get('g-3')!.peers).toEqual([{ name: 'g-2', allowedIps: [CIDR] }]);
    expect(after.get('g-2')!.forward).toBe(true);
    expect(after.get('a-1')!.peers.find((p) => p.name === 'g-2')!.allowedIps).toEqual(['10.77.0.4/32', '10.77.0.5/32']);
    expect([...after.values()].some((p) => p.peers.some((x) => x.name === 'g-1'))).toBe(false);
    expect(before.get('g-3')!.peers[0]!.name).toBe('g-1');
    const ips = new Map(without.map((m) => [m.name, m.overlayIp]));
    for (const a of without) for (const b of without) if (a !== b) expect(reaches(after, ips, a.name, b.name), `${a.name} → ${b.name}`).toBe(true);
  });

  it('a region of one VM is its own hub with no spokes', () => {
    const plan = planPeers(members, 'hub', CIDR);
    expect(plan.get('z-1')!.forward).toBe(true);
    expect(planPeers([members[0]!], 'hub', CIDR).get('a-2')).toEqual({ forward: true, peers: [] });
  });

  it("opens each connection's UDP port to the public addresses of its VMs' peers: all for mesh, own VMs and other hubs for hub", () => {
    const pub = (name: string) => `198.51.100.${members.findIndex((m) => m.name === name) + 1}`;
    const vms = members.map((m) => ({ name: m.name, connection: m.connection, publicIp: pub(m.name) }));
    const hubs = chooseHubs(members);
    const plan = planPeers(members, 'hub', CIDR, hubs);
    for (const conn of ['aws', 'gcp', 'azure']) {
      // Exactly the union of the peers of the connection's VMs, as planned.
      const needed = new Set(members.filter((m) => m.connection === conn).flatMap((m) => peerNames(plan, m.name)));
      const own = members.filter((m) => m.connection === conn).map((m) => m.name);
      expect(overlaySources(conn, vms, hubs)).toEqual([...new Set([...needed, ...own])].map((n) => `${pub(n)}/32`).sort());
    }
    // Azure's one VM is its hub: the other hubs (a-1, g-1) and itself.
    expect(overlaySources('azure', vms, hubs)).toEqual(['198.51.100.2/32', '198.51.100.4/32', '198.51.100.6/32']);
    // Mesh: every VM's public address, never a private one, and a VM without an address is skipped.
    expect(overlaySources('aws', [...vms, { name: 'x-1', connection: 'aws' }])).toEqual(vms.map((v) => `${v.publicIp}/32`).sort());

    // 100 VMs on three clouds: a hub's group stays under EC2's 60 rules per security group.
    const big = Array.from({ length: 100 }, (_, i) => ({ name: `v-${String(i).padStart(3, '0')}`, connection: ['aws', 'gcp', 'azure'][i % 3]!, overlayIp: `10.77.0.${i + 1}`, publicIp: `203.0.113.${i + 1}` }));
    const bigHubs = chooseHubs(big);
    expect(overlaySources('aws', big, bigHubs)).toHaveLength(34 + 2);
    expect(overlaySources('aws', big)).toHaveLength(100);
  });
});
