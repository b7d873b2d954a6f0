import { describe, expect, it } from 'vitest';
import { ecsVmPolicy } from './alibaba/vm-policy.js';
import { newEcsRegion, type EcsInstance, type EcsPermission } from './alibaba/model.js';
import type { SecurityRule, Tenant } from './cloudit/model.js';
import { clouditVmPolicy } from './cloudit/vm-policy.js';
import type { RegionData, SecurityGroupRule } from './openstack/model.js';
import { openstackVmPolicy } from './openstack/vm-policy.js';
import { renderRuleset } from './vm/isolation/firewall.js';

const vm = (id: string) => ({ id, state: 'running' as const });
const perm = (p: Partial<EcsPermission>): EcsPermission => ({ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Policy: 'Accept', Priority: '1', Description: '', Direction: 'ingress', CreateTime: '', ...p });

describe("the other clouds' security groups as VM firewalls", () => {
  it('orders Alibaba rules by priority, Drop first at one priority, after the group members', () => {
    const r = newEcsRegion('ap-northeast-2');
    r.vSwitches.set('vsw-1', { cidr: '172.16.1.0/24' } as never);
    r.securityGroups.set('sg-1', { id: 'sg-1', permissions: [perm({ PortRange: '8080/8080', Priority: '2' }), perm({ PortRange: '-1/-1', IpProtocol: 'ALL', SourceCidrIp: '192.0.2.0/24', Policy: 'Drop', Priority: '2' }), perm({})] } as never);
    const inst = (id: string, ip: string) => ({ ...vm(id), name: id, hostName: '', vpcId: 'vpc-1', vSwitchId: 'vsw-1', securityGroupIds: ['sg-1'], privateIp: ip }) as unknown as EcsInstance;
    r.instances.set('i-1', inst('i-1', '172.16.1.5'));
    r.instances.set('i-2', inst('i-2', '172.16.1.6'));
    const p = ecsVmPolicy([r], 'i-1');
    expect(p).toMatchObject({ network: 'alibaba:ap-northeast-2:vpc-1', privateIp: '172.16.1.5', prefixLength: 24, hostname: 'i-1' });
    expect(p?.layers).toEqual([[
      { action: 'accept', protocol: 'all', sources: ['172.16.1.5', '172.16.1.6'] },
      { action: 'accept', protocol: 'tcp', ports: [[22, 22]], sources: ['0.0.0.0/0'] },
      { action: 'drop', protocol: 'all', sources: ['192.0.2.0/24'] },
      { action: 'accept', protocol: 'tcp', ports: [[8080, 8080]], sources: ['0.0.0.0/0'] },
    ]]);
    expect(renderRuleset('t', p?.layers ?? [], 22)).toContain('ip saddr { 192.0.2.0/24 } drop');
  });

  it("takes a Neutron port's IPv4 ingress and egress rules, a remote group as its members' fixed IPs", () => {
    const rule = (r: Partial<SecurityGroupRule>): SecurityGroupRule => ({ id: 'r', created_at: '', updated_at: '', seq: 0, security_group_id: 'sg', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 8080, port_range_max: 8081, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null, description: '', ...r });
    const region = {
      name: 'RegionOne',
      servers: new Map([['s1', { id: 's1', name: 'web', vm: { id: 'vm-1' } }]]),
      ports: new Map([['p1', { device_id: 's1', device_owner: 'compute:nova', network_id: 'net', security_groups: ['sg'], fixed_ips: [{ subnet_id: 'sub', ip_address: '10.0.0.4' }] }]]),
      subnets: new Map([['sub', { cidr: '10.0.0.0/24' }]]),
      rules: new Map([
        ['a', rule({})],
        ['b', rule({ protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: 'sg' })],
        ['c', rule({ direction: 'egress' })],
        ['d', rule({ ethertype: 'IPv6', remote_ip_prefix: '::/0' })],
        ['e', rule({ security_group_id: 'other' })],
      ]),
    } as unknown as RegionData;
    expect(openstackVmPolicy([region], 'vm-1')).toEqual({
      network: 'openstack:RegionOne:net',
      privateIp: '10.0.0.4',
      prefixLength: 24,
      hostname: 'web',
      layers: [[{ action: 'accept', protocol: 'tcp', ports: [[8080, 8081]], sources: ['0.0.0.0/0'] }, { action: 'accept', protocol: 'all', sources: ['10.0.0.4'] }]],
      egress: [[{ action: 'accept', protocol: 'tcp', ports: [[8080, 8081]], sources: ['0.0.0.0/0'] }]],
    });
  });

  it("takes a Cloudit server's inbound and outbound rules, port 0 as every port", () => {
    const rule = (r: Partial<SecurityRule>): SecurityRule => ({ id: 'r', secgroupId: 'sg', name: 'r', type: 'inbound', port: '22', target: '0.0.0.0/0', protocol: 'tcp', creator: '', createdAt: '', ...r });
    const tenant = {
      subnets: new Map([['s', { addr: '10.10.1.0', prefix: '24' }]]),
      securityGroups: new Map([['sg', { rules: [rule({}), rule({ port: '0', protocol: 'udp', target: '10.0.0.0/8' }), rule({ type: 'outbound', port: '8080' })] }]]),
      servers: new Map([['x', { name: 'c-1', hostName: 'c-1', subnetAddr: '10.10.1.0', privateIp: '10.10.1.7', secgroups: ['sg'], vm: { id: 'vm-9' } }]]),
    } as unknown as Tenant;
    expect(clouditVmPolicy(tenant, 'vm-9')).toEqual({
      network: 'cloudit:10.10.1.0',
      privateIp: '10.10.1.7',
      prefixLength: 24,
      hostname: 'c-1',
      layers: [[{ action: 'accept', protocol: 'tcp', ports: [[22, 22]], sources: ['0.0.0.0/0'] }, { action: 'accept', protocol: 'udp', sources: ['10.0.0.0/8'] }]],
      egress: [[{ action: 'accept', protocol: 'tcp', ports: [[8080, 8080]], sources: ['0.0.0.0/0'] }]],
    });
    expect(clouditVmPolicy(tenant, 'vm-0')).toBeUndefined();
  });
});
