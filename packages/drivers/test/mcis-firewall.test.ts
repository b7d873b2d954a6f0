import type { FirewallRule } from '@cloud-barista/core/driver/port';
import { describe, expect, it } from 'vitest';
import { rulePrefix, wantedRules } from '../src/azure/mcis-firewall.js';
import { wantedFirewalls } from '../src/gcp/mcis-firewall.js';

const rule = (fromPort: number, toPort: number, source: string, protocol: 'tcp' | 'udp' = 'tcp'): FirewallRule => ({ protocol, fromPort, toPort, source });
const open = [rule(22, 22, '0.0.0.0/0'), rule(8080, 8080, '1.1.1.1/32'), rule(8080, 8080, '10.0.0.1/32'), rule(0, 65535, '1.1.1.1/32', 'udp')];
const narrowed = [rule(22, 22, '203.0.113.0/24'), rule(8080, 8080, '1.1.1.1/32')];

describe('GCE rules for the MCIS tag', () => {
  it('makes one allow per protocol and port range with the sources as sourceRanges', () => {
    expect(wantedFirewalls('cb-default-fw', open).map((f) => [f.name, f.priority, f.allowed, f.sourceRanges])).toEqual([
      ['cb-default-fw-tcp-22', 900, [{ IPProtocol: 'tcp', ports: ['22'] }], ['0.0.0.0/0']],
      ['cb-default-fw-tcp-8080', 900, [{ IPProtocol: 'tcp', ports: ['8080'] }], ['1.1.1.1/32', '10.0.0.1/32']],
      ['cb-default-fw-udp-0-65535', 900, [{ IPProtocol: 'udp', ports: ['0-65535'] }], ['1.1.1.1/32']],
    ]);
  });

  it("closes SSH from elsewhere before the default network's SSH rule (1000) when SSH is narrowed", () => {
    const deny = wantedFirewalls('cb-default-fw', narrowed).find((f) => f.denied);
    expect(deny).toMatchObject({ name: 'cb-default-fw-deny-ssh', priority: 950, denied: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['0.0.0.0/0'] });
  });
});

describe('Azure NSG rules for the MCIS VMs', () => {
  it("targets the VMs' private IPs; no VMs, no rules; a deny of SSH when narrowed", () => {
    expect(wantedRules('cb-default-fw', open, [])).toEqual([]);
    const rules = wantedRules('cb-default-fw', narrowed, ['10.0.1.5', '10.0.1.4']);
    expect(rules.map((r) => [r.name, r.access, r.destinationPortRange, r.sourceAddressPrefixes ?? r.sourceAddressPrefix, r.destinationAddressPrefixes])).toEqual([
      ['cb-default-fw-tcp-22', 'Allow', '22', ['203.0.113.0/24'], ['10.0.1.4', '10.0.1.5']],
      ['cb-default-fw-tcp-8080', 'Allow', '8080', ['1.1.1.1/32'], ['10.0.1.4', '10.0.1.5']],
      ['cb-default-fw-deny-ssh', 'Deny', '22', '*', ['10.0.1.4', '10.0.1.5']],
    ]);
    expect(wantedRules('p', open, ['10.0.1.4']).some((r) => r.access === 'Deny')).toBe(false);
  });

  it('keeps rule names within ARM limits', () => {
    const long = `cb-${'n'.repeat(60)}-${'m'.repeat(60)}`;
    expect(rulePrefix(long).length).toBeLessThanOrEqual(50);
    expect(rulePrefix(long)).not.toBe(rulePrefix(`${long}x`));
  });
});
