/**
 * The OpenStack and Alibaba MCIS firewalls against recorded answers (Apache Libcloud's samples in
 * test/fixtures): what `read` makes of a real group's rules, and that `setRules` leaves exactly the
 * wanted rules: a rule it cannot express (ECS's ALL/-1) is revoked as the cloud holds it, only the
 * missing one is added; `ensure` creates the group when none of its name exists.
 */
import { readFileSync } from 'node:fs';
import type { Connection } from '@cloud-barista/core';
import type { FirewallRule } from '@cloud-barista/core/driver/port';
import { afterEach, describe, expect, it } from 'vitest';
import { fromNeutronRule, toNeutronRule } from '../src/openstack/mcis-firewall.js';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { ecsFixture, type Replay, replayDriver } from './alibaba-replay.js';

const ssh: FirewallRule = { protocol: 'tcp', fromPort: 22, toPort: 22, source: '0.0.0.0/0' };
const net = { networkId: 'vpc-1', subnetId: 'vsw-1', securityGroupId: 'sg-default', extra: {} };

describe('Alibaba MCIS firewall on ECS samples', () => {
  let replay: Replay | undefined;
  afterEach(async () => {
    await replay?.close();
    replay = undefined;
  });

  it('creates the group when no group of its name exists, and makes it hold exactly the wanted rules', async () => {
    const ok = { json: { RequestId: 'replay' } };
    replay = await replayDriver({
      DescribeSecurityGroups: [{ json: ecsFixture('describe_security_groups.xml') }],
      CreateSecurityGroup: [{ json: ecsFixture('create_security_group.xml') }],
      DescribeSecurityGroupAttribute: [{ json: ecsFixture('describe_security_group_attributes.xml') }],
      RevokeSecurityGroup: [ok],
      AuthorizeSecurityGroup: [ok],
    });
    const fw = replay.driver.firewall!;
    expect(await fw.ensure({ name: 'cb-default-web', network: net, tags: { 'cb-managed': 'true', 'cb-mcis': 'web' } })).toEqual({ id: 'sg-F876FF7BA', name: 'cb-default-web' });
    // The sample's only rule admits ALL from 121.43.18.0/24: not a port rule, so read leaves it out ...
    expect((await fw.read({ id: 'sg-m5e5vyj2j0atm2gewww4', name: 'x' }, net)).rules).toEqual([]);
    // ... and setRules revokes it before it authorizes SSH.
    await fw.setRules({ id: 'sg-m5e5vyj2j0atm2gewww4', name: 'x' }, { network: net, rules: [ssh], targets: [] });
    expect(replay.asked).toEqual(['DescribeSecurityGroups', 'CreateSecurityGroup', 'DescribeSecurityGroupAttribute', 'DescribeSecurityGroupAttribute', 'RevokeSecurityGroup', 'AuthorizeSecurityGroup']);
  });
});

describe('OpenStack MCIS firewall on Neutron samples', () => {
  const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/openstack/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  type Rule = Parameters<typeof fromNeutronRule>[0];
  const groups = fixture('_v2_0__security_groups.json') as { security_groups: Array<{ id: number; name: string; security_group_rules: Rule[] }> };
  const ftp = groups.security_groups.find((g) => g.name === 'ftp')!;

  it('reads the sample group rules (no ethertype in old samples: the IPv4 prefix says it)', () => {
    expect(ftp.security_group_rules.map(fromNeutronRule)).toEqual([{ protocol: 'tcp', fromPort: 20, toPort: 21, source: '0.0.0.0/0' }]);
    expect(fromNeutronRule((fixture('_v2_0__security_group_rule.json') as { security_group_rule: Rule }).security_group_rule)).toEqual({ protocol: 'tcp', fromPort: 14, toPort: 16, source: '0.0.0.0/0' });
    expect(fromNeutronRule({ id: 'x', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: null, port_range_max: null, remote_ip_prefix: '10.0.0.0/8' })).toEqual({ protocol: 'tcp', fromPort: 0, toPort: 65535, source: '10.0.0.0/8' });
  });

  it('writes all ports as a rule without a range (Neutron has no port 0)', () => {
    expect(toNeutronRule('g', { protocol: 'udp', fromPort: 0, toPort: 65535, source: '1.2.3.4/32' })).not.toHaveProperty('port_range_min');
    expect(toNeutronRule('g', ssh)).toMatchObject({ port_range_min: 22, port_range_max: 22, direction: 'ingress', ethertype: 'IPv4' });
  });

  it('setRules deletes the rule not wanted and adds the missing one, through Neutron', async () => {
    const calls: string[] = [];
    const base = 'http://os.test';
    const fake: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      const method = init?.method ?? 'GET';
      if (url.endsWith('/identity/v3/auth/tokens')) {
        const endpoints = (path: string) => [{ interface: 'public', region_id: 'RegionOne', url: `${base}${path}` }];
        const token = { expires_at: new Date(Date.now() + 3_600_000).toISOString(), project: { id: 'p1' }, catalog: [{ type: 'network', endpoints: endpoints('/network') }] };
        return new Response(JSON.stringify({ token }), { status: 201, headers: { 'x-subject-token': 't' } });
      }
      const path = url.slice(base.length);
      calls.push(`${method} ${path}`);
      if (method === 'GET') return new Response(JSON.stringify({ security_group_rules: ftp.security_group_rules }), { status: 200 });
      if (method === 'POST') return new Response(readFileSync(new URL('./fixtures/openstack/_v2_0__security_group_rule.json', import.meta.url)), { status: 201 });
      return new Response(null, { status: 204 });
    };
    const conn: Connection = { name: 'replay', provider: 'openstack', region: 'RegionOne', sshPort: 22, labels: {}, createdAt: '2026-01-01T00:00:00Z' };
    const driver = buildOpenStackDriver({ connection: conn, credentials: { kind: 'openstack-app-credential', authUrl: `${base}/identity/v3`, applicationCredentialId: 'ac', applicationCredentialSecret: 's' } }, { fetch: fake });
    await driver.firewall!.setRules({ id: '4', name: 'ftp' }, { network: net, rules: [ssh, { protocol: 'tcp', fromPort: 20, toPort: 21, source: '0.0.0.0/0' }], targets: [] });
    expect(calls).toEqual(['GET /network/v2.0/security-group-rules?security_group_id=4&direction=ingress', 'POST /network/v2.0/security-group-rules']);
    calls.length = 0;
    await driver.firewall!.setRules({ id: '4', name: 'ftp' }, { network: net, rules: [ssh], targets: [] });
    expect(calls).toEqual(['GET /network/v2.0/security-group-rules?security_group_id=4&direction=ingress', 'DELETE /network/v2.0/security-group-rules/1', 'POST /network/v2.0/security-group-rules']);
  });
});
