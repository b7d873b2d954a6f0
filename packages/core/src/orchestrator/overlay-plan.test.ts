import { describe, expect, it } from 'vitest';
import { parseMcisManifest } from './mcis-manifest.js';
import { firewallChanges, intentOf, resolveRules } from '../firewall.js';
import { assignOverlayIps, matrixRow, parseStatus, setupConfig } from './overlay-plan.js';
import { planPeers } from './overlay-topology.js';
import { wgKeyPair } from './overlay.js';

const manifest = (network: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: web }
spec:
  subgroups:
    - { name: a, connection: twin-aws-ap-northeast-2, count: 1, spec: t3.micro, image: debian-12 }
${network}`;

describe('spec.network.overlay', () => {
  it('is optional, takes a cidr and a port, and refuses unknown keys, public and odd networks by field', () => {
    expect(parseMcisManifest(manifest('')).errors).toEqual([]);
    const on = parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/16, port: 51821 }\n'));
    expect(on.errors).toEqual([]);
    expect(on.value?.spec.network?.overlay).toEqual({ cidr: '10.77.0.0/16', port: 51821 });
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/16, mtu: 1400 }\n')).errors[0]?.message).toMatch(/unknown field.*'mtu'/);
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 8.8.0.0/16 }\n')).errors).toEqual([{ path: 'spec.network.overlay.cidr', message: expect.stringMatching(/not a private range/) as string }]);
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.1/16 }\n')).errors[0]?.message).toMatch(/host bits set: write 10.77.0.0\/16/);
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/28 }\n')).errors[0]?.message).toMatch(/a \/8 to \/24 network/);
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/16, port: 70000 }\n')).errors[0]?.path).toBe('spec.network.overlay.port');
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/16, topology: hub }\n')).value?.spec.network?.overlay?.topology).toBe('hub');
    expect(parseMcisManifest(manifest('  network:\n    overlay: { cidr: 10.77.0.0/16, topology: star }\n')).errors).toEqual([
      { path: 'spec.network.overlay.topology', message: expect.stringMatching(/"mesh"\|"hub"/) as string },
    ]);
  });

  it("opens its UDP port to the MCIS VMs' public addresses only while it is on", () => {
    const vms = [{ subgroup: 'a', connection: 'c1', publicIp: '198.51.100.1', privateIp: '10.0.0.1' }, { subgroup: 'b', connection: 'c2', publicIp: '203.0.113.2' }];
    const subgroups = [{ name: 'a', connection: 'c1' }, { name: 'b', connection: 'c2' }];
    const udp = (overlay?: { cidr: string; port?: number }) => resolveRules(intentOf({ subgroups: subgroups as never, ...(overlay ? { overlay } : {}) }), 'c1', vms).filter((r) => r.protocol === 'udp');
    expect(udp()).toEqual([]);
    // Turning it on, off, or moving it to another network is a change apply carries out.
    const intent = (cidr?: string) => intentOf({ subgroups: subgroups as never, ...(cidr ? { overlay: { cidr } } : {}) });
    expect(firewallChanges(intent(), intent('10.77.0.0/16')).added).toEqual(['udp 51820 from mcis (spec.network.overlay 10.77.0.0/16)']);
    expect(firewallChanges(intent('10.77.0.0/16'), intent('10.88.0.0/16'))).toEqual({ added: ['udp 51820 from mcis (spec.network.overlay 10.88.0.0/16)'], removed: ['udp 51820 from mcis (spec.network.overlay 10.77.0.0/16)'] });
    // The VMs' public addresses only: WireGuard's endpoints.
    expect(udp({ cidr: '10.77.0.0/16' }).map((r) => `${r.fromPort}-${r.toPort} ${r.source}`)).toEqual(['51820-51820 198.51.100.1/32', '51820-51820 203.0.113.2/32']);
  });
});

describe('overlay addresses', () => {
  it('keeps the addresses VMs have, gives the others the lowest free ones in name order, and fails when full', () => {
    const ips = assignOverlayIps('10.77.0.0/16', [{ name: 'b-1' }, { name: 'a-1', overlayIp: '10.77.0.2' }, { name: 'c-1' }, { name: 'd-1', overlayIp: '10.99.0.1' }]);
    expect(Object.fromEntries(ips)).toEqual({ 'a-1': '10.77.0.2', 'b-1': '10.77.0.1', 'c-1': '10.77.0.3', 'd-1': '10.77.0.4' });
    // A VM that left frees nothing the others hold: addresses are stable.
    expect(assignOverlayIps('10.77.0.0/16', [{ name: 'c-1', overlayIp: '10.77.0.3' }, { name: 'e-1' }]).get('e-1')).toBe('10.77.0.1');
    const many = Array.from({ length: 254 }, (_, i) => ({ name: `v-${i}` }));
    expect(assignOverlayIps('10.1.2.0/24', many).size).toBe(254);
    expect(() => assignOverlayIps('10.1.2.0/24', [...many, { name: 'one-more' }])).toThrow(/no free address left for/);
  });
});

describe('overlay setup config', () => {
  it('lists each planned peer with its key, endpoint (public IP:port) and allowed-ips, names all, and carries a key only when given', () => {
    const members = [
      { name: 'a-1', connection: 'aws', publicIp: '127.1.0.1', overlayIp: '10.77.0.1', overlayKey: 'KA=' },
      { name: 'g-1', connection: 'gcp', publicIp: '127.1.0.2', overlayIp: '10.77.0.2', overlayKey: 'KG=' },
      { name: 'z-1', connection: 'azure', publicIp: '127.1.0.3', overlayIp: '10.77.0.3' },
    ];
    const plan = planPeers(members.map((m) => ({ ...m, overlayIp: m.overlayIp })), 'mesh', '10.77.0.0/16');
    const text = setupConfig(members[0]!, plan.get('a-1')!, members, { cidr: '10.77.0.0/16', port: 51999 }, 'web', 'PRIV=');
    // z-1 has no key yet: it is named, but no peer until it has one.
    expect(text).toBe(['iface cbo0', 'addr 10.77.0.1/16', 'port 51999', 'forward 0', 'key PRIV=', 'peer KG= 127.1.0.2:51999 10.77.0.2/32', 'host 10.77.0.1 a-1.web', 'host 10.77.0.2 g-1.web', 'host 10.77.0.3 z-1.web', ''].join('\n'));
    expect(setupConfig(members[1]!, plan.get('g-1')!, members, { cidr: '10.77.0.0/16' }, 'web')).not.toMatch(/^key /m);
    const hub = { forward: true, peers: [{ name: 'g-1', allowedIps: ['10.77.0.2/32', '10.77.0.9/32'] }] };
    expect(setupConfig(members[0]!, hub, members, { cidr: '10.77.0.0/16' }, 'web')).toMatch(/^forward 1\n(.|\n)*^peer KG= 127\.1\.0\.2:51820 10\.77\.0\.2\/32,10\.77\.0\.9\/32$/m);
  });

  it('makes WireGuard keys: 32 bytes each, base64, the public one derived from the private one', () => {
    const k = wgKeyPair();
    expect(Buffer.from(k.privateKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(k.publicKey, 'base64')).toHaveLength(32);
    expect(k.privateKey).not.toBe(wgKeyPair().privateKey);
  });

  it('reads the status script and maps each address to the peer carrying it: direct, via a hub, never, no reply', () => {
    const s = parseStatus('rtt 10.77.0.2 0.512\nrtt 10.77.0.3 -\nrtt 10.77.0.4 1.5\npeer KH= 10.77.0.0/16 1010 1012\npeer KG= 10.77.0.2/32 1000 1012\npeer KZ= 10.77.0.3/32 0 1012\n');
    expect(s.up).toBe(true);
    const others = [
      { name: 'g-1', overlayIp: '10.77.0.2' },
      { name: 'z-1', overlayIp: '10.77.0.3' },
      { name: 'h-2', overlayIp: '10.77.0.4' },
    ];
    expect(matrixRow(others, s, new Map([['KG=', 'g-1'], ['KZ=', 'z-1'], ['KH=', 'h-1']]))).toEqual([
      { to: 'g-1', handshakeAgeSec: 12, rttMs: 0.512 },
      { to: 'z-1', handshakeAgeSec: null, rttMs: null },
      { to: 'h-2', handshakeAgeSec: 2, rttMs: 1.5, via: 'h-1' },
    ]);
    expect(parseStatus('down\n').up).toBe(false);
  });
});
