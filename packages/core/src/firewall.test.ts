import { describe, expect, it } from 'vitest';
import { cidrProblem, firewallChanges, parsePorts, resolveRules, ruleKey, type FirewallIntent } from './firewall.js';
import { parseMcisManifest } from './orchestrator/mcis-manifest.js';

const manifest = (spec: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: fw }
spec:
  subgroups:
    - { name: web, connection: c1, count: 2, spec: t3.micro, image: ubuntu-22.04 }
    - { name: db, connection: c2, count: 1, spec: t3.micro, image: ubuntu-22.04, firewall: [{ ports: "5432", from: ["subgroup:web"] }] }
${spec}`;

describe('manifest firewall validation', () => {
  it('accepts port lists, ranges, all, udp, CIDRs, subgroup and mcis sources', () => {
    const r = parseMcisManifest(manifest(`  firewall:
    - { ports: "80,443", from: ["0.0.0.0/0"] }
    - { ports: "8080-8090", from: ["subgroup:web", "203.0.113.0/24"] }
    - { ports: all, protocol: udp, from: [mcis] }
  ssh: { from: ["198.51.100.7/32"] }
`));
    expect(r.errors).toEqual([]);
    expect(r.value?.spec.firewall).toHaveLength(3);
  });

  it('names each bad field: port range, CIDR, unknown subgroup, ssh source', () => {
    const r = parseMcisManifest(manifest(`  firewall:
    - { ports: "90-80", from: ["10.0.0.1/24"] }
    - { ports: "http", from: ["subgroup:api"] }
    - { ports: "70000", from: ["10.0.0.0/33"] }
  ssh: { from: [mcis] }
`));
    expect(r.errors.map((e) => [e.path, e.message])).toEqual([
      ['spec.firewall[0].ports', "'90-80': the range runs backwards (write 80-90)"],
      ['spec.firewall[0].from[0]', "'10.0.0.1/24' has host bits set: write 10.0.0.0/24"],
      ['spec.firewall[1].ports', `'http' is not a port or a range: use e.g. "80,443", "8080-8090" or "all"`],
      ['spec.firewall[1].from[0]', "no subgroup 'api' in this MCIS (its subgroups: web, db)"],
      ['spec.firewall[2].ports', "'70000': ports are 1-65535"],
      ['spec.firewall[2].from[0]', "'10.0.0.0/33' is not a valid IPv4 CIDR"],
      ['spec.ssh.from[0]', expect.stringMatching(/^SSH is narrowed to CIDRs only: 'mcis' is not an IPv4 CIDR/)],
    ]);
  });

  it('refuses an unknown protocol and an empty source list by schema, with the path', () => {
    const r = parseMcisManifest(manifest(`  firewall:
    - { ports: "80", protocol: icmp, from: [] }
`));
    expect(r.errors.map((e) => e.path).sort()).toEqual(['spec.firewall[0].from', 'spec.firewall[0].protocol']);
  });

  it('parses ports and checks CIDRs', () => {
    expect(parsePorts('80, 443')).toEqual([{ from: 80, to: 80 }, { from: 443, to: 443 }]);
    expect(parsePorts('all')).toEqual([{ from: 0, to: 65535 }]);
    expect(cidrProblem('0.0.0.0/0')).toBeUndefined();
    expect(cidrProblem('10.1.2.3')).toMatch(/not an IPv4 CIDR/);
  });
});

const intent: FirewallIntent = {
  firewall: [{ ports: '8080', from: ['subgroup:web'] }, { ports: 'all', protocol: 'udp', from: ['mcis'] }],
  subgroups: [
    { name: 'web', connection: 'c1' },
    { name: 'db', connection: 'c2', firewall: [{ ports: '5432', from: ['subgroup:web', '10.9.0.0/16'] }] },
  ],
};
const vms = [
  { subgroup: 'web', connection: 'c1', publicIp: '1.1.1.1', privateIp: '10.0.0.1' },
  { subgroup: 'web', connection: 'c1', publicIp: '1.1.1.2' },
  { subgroup: 'db', connection: 'c2', publicIp: '2.2.2.2', privateIp: '10.1.0.5' },
];

describe('resolveRules', () => {
  it("resolves subgroup and mcis sources to the VMs' public and private /32s; subgroup rules only on their connection; SSH from anywhere by default", () => {
    expect(resolveRules(intent, 'c1', vms).map(ruleKey)).toEqual([
      'tcp/22-22/0.0.0.0/0',
      'tcp/8080-8080/1.1.1.1/32',
      'tcp/8080-8080/1.1.1.2/32',
      'tcp/8080-8080/10.0.0.1/32',
      'udp/0-65535/1.1.1.1/32',
      'udp/0-65535/1.1.1.2/32',
      'udp/0-65535/10.0.0.1/32',
      'udp/0-65535/10.1.0.5/32',
      'udp/0-65535/2.2.2.2/32',
    ]);
    const c2 = resolveRules({ ...intent, ssh: { from: ['203.0.113.0/24'] } }, 'c2', vms).map(ruleKey);
    expect(c2.filter((k) => k.startsWith('tcp/'))).toEqual([
      'tcp/22-22/203.0.113.0/24',
      'tcp/5432-5432/1.1.1.1/32',
      'tcp/5432-5432/1.1.1.2/32',
      'tcp/5432-5432/10.0.0.1/32',
      'tcp/5432-5432/10.9.0.0/16',
      'tcp/8080-8080/1.1.1.1/32',
      'tcp/8080-8080/1.1.1.2/32',
      'tcp/8080-8080/10.0.0.1/32',
    ]);
  });

  it('gives a subgroup with no VMs no sources (the rule waits for them)', () => {
    expect(resolveRules({ firewall: [{ ports: '80', from: ['subgroup:web'] }], subgroups: [{ name: 'web', connection: 'c1' }] }, 'c1', []).map(ruleKey)).toEqual(['tcp/22-22/0.0.0.0/0']);
  });
});

describe('firewallChanges', () => {
  it('lists manifest rules added and removed, by where they apply; sources following VMs are no change', () => {
    const after: FirewallIntent = { ...intent, firewall: [{ ports: '8080', from: ['subgroup:web'] }, { ports: '443', from: ['0.0.0.0/0'] }], ssh: { from: ['203.0.113.0/24'] } };
    expect(firewallChanges(intent, after)).toEqual({
      added: ['tcp 22 from 203.0.113.0/24 (spec.ssh)', 'tcp 443 from 0.0.0.0/0 (MCIS-wide)'],
      removed: ['udp all from mcis (MCIS-wide)'],
    });
    expect(firewallChanges(intent, intent)).toEqual({ added: [], removed: [] });
  });
});
