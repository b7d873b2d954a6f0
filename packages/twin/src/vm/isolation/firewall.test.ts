import { describe, expect, it } from 'vitest';
import { HOST_ADDRESS, renderRuleset } from './firewall.js';
import { portRanges } from './policy.js';

describe('VM firewall ruleset', () => {
  it('redirects the twin SSH port to 22 and drops what no layer allows', () => {
    const text = renderRuleset('t', [[{ action: 'accept', protocol: 'tcp', ports: [[22, 22], [8000, 8080]], sources: ['10.0.0.0/16'] }]], 2222);
    expect(text).toContain('iifname "eth1" tcp dport 2222 redirect to :22');
    expect(text).toContain('ip saddr { 10.0.0.0/16 } tcp dport { 22, 8000-8080 } accept');
    expect(text.endsWith('accept\n    drop\n  }\n}\n')).toBe(true);
  });

  it('admits the host where a rule admits loopback, and chains layers (Azure: subnet NSG, then NIC NSG)', () => {
    const text = renderRuleset('t', [
      [{ action: 'drop', protocol: 'tcp', ports: [[22, 22]], sources: ['203.0.113.0/24'] }, { action: 'accept', protocol: 'all', sources: ['127.0.0.0/8'] }],
      [{ action: 'accept', protocol: 'tcp', ports: [[8080, 8080]] }],
    ], 22);
    expect(text).not.toContain('redirect');
    expect(text).toContain(`ip saddr { 127.0.0.0/8, ${HOST_ADDRESS} } goto l1`);
    expect(text).toContain('ip saddr { 203.0.113.0/24 } tcp dport { 22 } drop');
    expect(text).toMatch(/chain l1 \{\n {4}tcp dport \{ 8080 \} accept\n {4}drop/);
  });

  it('opens everything without layers, and skips rules it cannot express', () => {
    const open = renderRuleset('t', [], 22);
    expect(open).toContain('ct state invalid drop\n    accept\n  }');
    expect(open).not.toContain('goto');
    expect(renderRuleset('t', [[{ action: 'accept', protocol: 'gre' }, { action: 'accept', protocol: 'udp', sources: ['VirtualNetworkTag'] }]], 22)).not.toMatch(/gre|udp/);
    expect(portRanges(['22', '1000-2000', 'x'])).toEqual([[22, 22], [1000, 2000]]);
    expect(portRanges(['0-65535'])).toBeUndefined();
  });

  it('filters outbound traffic by destination when the cloud has egress rules, and leaves it open without', () => {
    const text = renderRuleset('t', [], 22, [[{ action: 'drop', protocol: 'tcp', ports: [[25, 25]] }, { action: 'accept', protocol: 'all', sources: ['10.0.0.0/16', '127.0.0.1'] }]]);
    expect(text).toContain('type filter hook output priority filter; policy drop;\n    oif "lo" accept\n    oifname != { "eth0", "eth1" } accept\n    ct state established,related accept');
    expect(text).toMatch(/chain o0 \{\n {4}tcp dport \{ 25 \} drop\n {4}ip daddr \{ 10\.0\.0\.0\/16, 127\.0\.0\.1, 169\.254\.77\.1 \} accept\n {4}drop/);
    expect(renderRuleset('t', [], 22)).not.toContain('output');
    expect(renderRuleset('t', [], 22, [])).not.toContain('output');
  });
});
