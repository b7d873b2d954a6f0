import { describe, expect, it } from 'vitest';
import { parseMcisManifest } from './mcis-manifest.js';
import { firewallChanges, intentOf, resolveRules } from '../firewall.js';
import { assignOverlayIps, parseStatus, setupConfig } from './overlay-plan.js';
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
  });

  it('opens its UDP port to the MCIS VMs only while it is on', () => {
    const vms = [{ subgroup: 'a', connection: 'c1', publicIp: '198.51.100.1', privateIp: '10.0.0.1' }, { subgroup: 'b', connection: 'c2', publicIp: '203.0.113.2' }];
    const subgroups = [{ name: 'a', connection: 'c1' }, { name: 'b', connection: 'c2' }];
    const udp = (overlay?: { cidr: string; port?: number }) => resolveRules(intentOf({ subgroups: subgroups as never, ...(overlay ? { overlay } : {}) }), 'c1', vms).filter((r) => r.protocol === 'udp');
    expect(udp()).toEqual([]);
    // Turning it on, off, or moving it to another network is a change apply carries out.
    const intent = (cidr?: string) => intentOf({ subgroups: subgroups as never, ...(cidr ? { overlay: { cidr } } : {}) });
    expect(firewallChanges(intent(), intent('10.77.0.0/16')).added).toEqual(['udp 51820 from mcis (spec.network.overlay 10.77.0.0/16)']);
    expect(firewallChanges(intent('10.77.0.0/16'), intent('10.88.0.0/16'))).toEqual({ added: ['udp 51820 from mcis (spec.network.overlay 10.88.0.0/16)'], removed: ['udp 51820 from mcis (spec.network.overlay 10.77.0.0/16)'] });
    expect(udp({ cidr: '10.77.0.0/16' }).map((r) => `${r.fromPort}-${r.toPort} ${r.source}`)).toEqual(['51820-51820 10.0.0.1/32', '51820-51820 198.51.100.1/32', '51820-51820 203.0.113.2/32']);
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
  it('lists every other ready VM as a peer (endpoint public IP:port, /32, its key), names all, and carries a key only when given', () => {
    const members = [
      { name: 'a-1', publicIp: '127.1.0.1', overlayIp: '10.77.0.1', overlayKey: 'KA=' },
      { name: 'g-1', publicIp: '127.1.0.2', overlayIp: '10.77.0.2', overlayKey: 'KG=' },
      { name: 'z-1', publicIp: '127.1.0.3', overlayIp: '10.77.0.3' },
    ];
    const text = setupConfig(members[0]!, members, { cidr: '10.77.0.0/16', port: 51999 }, 'web', 'PRIV=');
    expect(text).toBe(['iface cbo0', 'addr 10.77.0.1/16', 'port 51999', 'key PRIV=', 'peer KG= 127.1.0.2:51999 10.77.0.2/32', 'host 10.77.0.1 a-1.web', 'host 10.77.0.2 g-1.web', 'host 10.77.0.3 z-1.web', ''].join('\n'));
    expect(setupConfig(members[1]!, members, { cidr: '10.77.0.0/16' }, 'web')).not.toMatch(/^key /m);
  });

  it('makes WireGuard keys: 32 bytes each, base64, the public one derived from the private one', () => {
    const k = wgKeyPair();
    expect(Buffer.from(k.privateKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(k.publicKey, 'base64')).toHaveLength(32);
    expect(k.privateKey).not.toBe(wgKeyPair().privateKey);
  });

  it('reads the status script: handshake ages, RTTs, never and no reply', () => {
    const s = parseStatus('handshake 10.77.0.2 1000 1012\nhandshake 10.77.0.3 0 1012\nrtt 10.77.0.2 0.512\nrtt 10.77.0.3 -\n');
    expect(s.up).toBe(true);
    expect(Object.fromEntries(s.peers)).toEqual({ '10.77.0.2': { handshakeAgeSec: 12, rttMs: 0.512 }, '10.77.0.3': { handshakeAgeSec: null, rttMs: null } });
    expect(parseStatus('down\n').up).toBe(false);
  });
});
