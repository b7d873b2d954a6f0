import { describe, expect, it } from 'vitest';
import type { SubscriptionData } from './azure/model.js';
import { azureVmPolicy } from './azure/vm-policy.js';
import type { RegionData } from './ec2/model.js';
import { ec2VmPolicy } from './ec2/vm-policy.js';
import type { GceProject } from './gce/model.js';
import { gceVmPolicy } from './gce/vm-policy.js';

describe('egress rules as VM outbound firewalls', () => {
  it("takes EC2 security groups' egress rules apart from their ingress ones", () => {
    const region = {
      name: 'ap-northeast-2',
      subnets: new Map([['subnet-1', { cidr: '10.0.1.0/24' }]]),
      securityGroups: new Map([['sg-1', { rules: [{ id: 'a', egress: false, protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }, { id: 'b', egress: true, protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '10.0.0.0/16' }] }]]),
      instances: new Map([['i-1', { id: 'i-1', state: 'running', groupIds: ['sg-1'], tags: [], privateIp: '10.0.1.5', vpcId: 'vpc-1', subnetId: 'subnet-1' }]]),
    } as unknown as RegionData;
    const p = ec2VmPolicy([region], 'i-1');
    expect(p?.layers).toEqual([[{ action: 'accept', protocol: 'tcp', ports: [[22, 22]], sources: ['0.0.0.0/0'] }]]);
    expect(p?.egress).toEqual([[{ action: 'accept', protocol: 'tcp', ports: [[443, 443]], sources: ['10.0.0.0/16'] }]]);
  });

  it('takes GCE EGRESS rules by priority to their destination ranges, then the implied allow', () => {
    const fw = (name: string, f: object) => [name, { name, network: 'net', disabled: false, ...f }] as const;
    const project = {
      id: 'p',
      subnetworks: new Map(),
      instances: new Map([['vm', { name: 'vm', network: 'net', tags: [], networkIP: '10.1.0.2', region: 'r', subnetwork: 's', vm: { id: 'vm-1', state: 'running' } }]]),
      firewalls: new Map([
        fw('deny-smtp', { priority: 100, direction: 'EGRESS', denied: [{ IPProtocol: 'tcp', ports: ['25'] }], destinationRanges: ['0.0.0.0/0'] }),
        fw('allow-web', { priority: 50, direction: 'EGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], destinationRanges: ['192.0.2.0/24'] }),
        fw('ssh', { priority: 1000, direction: 'INGRESS', allowed: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['0.0.0.0/0'] }),
      ]),
    } as unknown as GceProject;
    expect(gceVmPolicy([project], 'vm-1')?.egress).toEqual([[
      { action: 'accept', protocol: 'tcp', ports: [[443, 443]], sources: ['192.0.2.0/24'] },
      { action: 'drop', protocol: 'tcp', ports: [[25, 25]], sources: ['0.0.0.0/0'] },
      { action: 'accept', protocol: 'all' },
    ]]);
  });

  it("takes Azure NSGs' Outbound rules with the default ones, the NIC's NSG first", () => {
    const rule = (name: string, priority: number, access: string, dest: string) => ({ name, protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '25', sourceAddressPrefix: '*', destinationAddressPrefix: dest, access, priority, direction: 'Outbound' });
    const subnetId = '/subscriptions/s/resourcegroups/g/providers/microsoft.network/virtualnetworks/v/subnets/default';
    const sub = {
      id: 's',
      vms: new Map([['vm', { name: 'vm', power: { id: 'vm-1' }, nics: [{ id: 'NIC', primary: true }] }]]),
      nics: new Map([['nic', { nsgId: 'nsg-nic', ipConfigurations: [{ primary: true, privateIp: '10.2.0.4', subnetId }] }]]),
      vnets: new Map([[subnetId.replace(/\/subnets\/default$/, ''), { addressPrefixes: ['10.2.0.0/16'], subnets: [{ name: 'default', addressPrefix: '10.2.0.0/24', nsgId: 'nsg-subnet' }] }]]),
      nsgs: new Map([
        ['nsg-nic', { rules: [rule('no-smtp', 100, 'Deny', 'Internet')] }],
        ['nsg-subnet', { rules: [] }],
      ]),
    } as unknown as SubscriptionData;
    const egress = azureVmPolicy([sub], 'vm-1')?.egress;
    expect(egress).toHaveLength(2);
    expect(egress?.[0]?.[0]).toEqual({ action: 'drop', protocol: 'Tcp', ports: [[25, 25]] });
    // The defaults: the VNet, then the Internet, then deny all.
    expect(egress?.[1]).toEqual([
      { action: 'accept', protocol: 'all', sources: ['10.2.0.0/16'] },
      { action: 'accept', protocol: 'all' },
      { action: 'drop', protocol: 'all' },
    ]);
  });
});
