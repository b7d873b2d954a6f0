/** How DescribeInstances / RunInstances show an instance. */
import { findInstanceType } from '../data/aws.js';
import type { Instance, RegionData } from './model.js';
import { ACCOUNT_ID, STATE_CODES } from './model.js';
import { tagSet } from './tags.js';
import { el, isoTime, items, node, type XmlChild } from './xml.js';

function dnsSuffix(region: string, kind: 'internal' | 'public'): string {
  if (kind === 'internal') return region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${region}.compute.amazonaws.com`;
}

export function privateDnsName(region: string, ip: string): string {
  return `ip-${ip.replaceAll('.', '-')}.${dnsSuffix(region, 'internal')}`;
}

export function publicDnsName(region: RegionData, inst: Instance): string | undefined {
  if (!inst.publicIp || !region.vpcs.get(inst.vpcId)?.dnsHostnames) return undefined;
  return `ec2-${inst.publicIp.replaceAll('.', '-')}.${dnsSuffix(region.name, 'public')}`;
}

export function stateXml(name: string, inst: Pick<Instance, 'state'>): XmlChild {
  return node(name, [el('code', STATE_CODES[inst.state]), el('name', inst.state)]);
}

function groupSet(region: RegionData, ids: readonly string[]): XmlChild {
  return items('groupSet', ids, (id) => [el('groupId', id), el('groupName', region.securityGroups.get(id)?.name)]);
}

export function renderInstance(region: RegionData, inst: Instance): XmlChild[] {
  const gone = inst.state === 'terminated';
  const privDns = gone ? undefined : privateDnsName(region.name, inst.privateIp);
  const pubDns = publicDnsName(region, inst);
  const association = inst.publicIp
    ? node('association', [el('publicIp', inst.publicIp), el('publicDnsName', pubDns ?? ''), el('ipOwnerId', 'amazon')])
    : undefined;
  const type = findInstanceType(inst.instanceType);
  const cores = type?.cores ?? 1;
  return [
    el('instanceId', inst.id),
    el('imageId', inst.imageId),
    stateXml('instanceState', inst),
    el('privateDnsName', privDns ?? ''),
    el('dnsName', pubDns ?? ''),
    el('reason', inst.stateTransitionReason),
    el('keyName', inst.keyName),
    el('amiLaunchIndex', inst.launchIndex),
    node('productCodes', []),
    el('instanceType', inst.instanceType),
    el('launchTime', isoTime(inst.launchTime)),
    node('placement', [el('availabilityZone', inst.az), el('groupName', ''), el('tenancy', 'default')]),
    node('monitoring', [el('state', 'disabled')]),
    gone ? undefined : el('subnetId', inst.subnetId),
    gone ? undefined : el('vpcId', inst.vpcId),
    gone ? undefined : el('privateIpAddress', inst.privateIp),
    el('ipAddress', inst.publicIp),
    el('sourceDestCheck', true),
    groupSet(region, gone ? [] : inst.groupIds),
    inst.stateReason ? node('stateReason', [el('code', inst.stateReason.code), el('message', inst.stateReason.message)]) : undefined,
    el('architecture', inst.architecture),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', inst.volumes[0]?.deviceName),
    items('blockDeviceMapping', gone ? [] : inst.volumes, (v) => [
      el('deviceName', v.deviceName),
      node('ebs', [
        el('volumeId', v.id),
        el('status', 'attached'),
        el('attachTime', isoTime(v.attachTime)),
        el('deleteOnTermination', v.deleteOnTermination),
      ]),
    ]),
    el('virtualizationType', 'hvm'),
    el('clientToken', inst.clientToken ?? ''),
    tagSet(inst.tags),
    el('hypervisor', 'xen'),
    items('networkInterfaceSet', gone ? [] : [inst.eni], (eni) => [
      el('networkInterfaceId', eni.id),
      el('subnetId', inst.subnetId),
      el('vpcId', inst.vpcId),
      el('description', ''),
      el('ownerId', ACCOUNT_ID),
      el('status', 'in-use'),
      el('macAddress', eni.macAddress),
      el('privateIpAddress', inst.privateIp),
      el('privateDnsName', privDns),
      el('sourceDestCheck', true),
      groupSet(region, inst.groupIds),
      node('attachment', [
        el('attachmentId', eni.attachmentId),
        el('deviceIndex', 0),
        el('status', 'attached'),
        el('attachTime', isoTime(eni.attachTime)),
        el('deleteOnTermination', true),
        el('networkCardIndex', 0),
      ]),
      association,
      items('privateIpAddressesSet', [inst.privateIp], (ip) => [
        el('privateIpAddress', ip),
        el('privateDnsName', privDns),
        el('primary', true),
        association,
      ]),
      node('ipv6AddressesSet', []),
      el('interfaceType', 'interface'),
    ]),
    el('ebsOptimized', false),
    el('enaSupport', true),
    node('cpuOptions', [el('coreCount', cores), el('threadsPerCore', (type?.vcpus ?? cores) / cores)]),
    node('capacityReservationSpecification', [el('capacityReservationPreference', 'open')]),
    node('hibernationOptions', [el('configured', false)]),
    node('metadataOptions', [
      el('state', 'applied'),
      el('httpTokens', 'required'),
      el('httpPutResponseHopLimit', 2),
      el('httpEndpoint', 'enabled'),
      el('httpProtocolIpv6', 'disabled'),
      el('instanceMetadataTags', 'disabled'),
    ]),
    node('enclaveOptions', [el('enabled', false)]),
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
    el('usageOperationUpdateTime', isoTime(inst.launchTime)),
    node('privateDnsNameOptions', [
      el('hostnameType', 'ip-name'),
      el('enableResourceNameDnsARecord', false),
      el('enableResourceNameDnsAAAARecord', false),
    ]),
    node('maintenanceOptions', [el('autoRecovery', 'default')]),
    el('currentInstanceBootMode', inst.architecture === 'arm64' ? 'uefi' : 'legacy-bios'),
  ];
}

/** A reservation as RunInstances / DescribeInstances list it. */
export function renderReservation(region: RegionData, reservationId: string, insts: Instance[]): XmlChild[] {
  return [
    el('reservationId', reservationId),
    el('ownerId', ACCOUNT_ID),
    node('groupSet', []),
    items('instancesSet', insts, (i) => renderInstance(region, i)),
  ];
}
