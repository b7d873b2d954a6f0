/** VPCs and subnets. */
import { findRegion } from '../data/aws.js';
import { contains, overlaps, parseCidr, usableAddresses } from './cidr.js';
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { namedOrAll, getSubnet, getVpc } from './lookup.js';
import { ACCOUNT_ID, type RegionData, type Subnet, type Vpc } from './model.js';
import { paginate } from './paging.js';
import { tagsFromSpecs } from './query.js';
import { newSubnet, newVpc } from './records.js';
import { tagSet } from './tags.js';
import { el, items, node, type XmlChild } from './xml.js';

function checkCidr(param: string, cidr: string, rangeCode: string) {
  const c = parseCidr(cidr);
  if (!c) {
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value (${cidr}) for parameter ${param} is invalid. This is not a valid CIDR block.`,
    );
  }
  if (c.prefix < 16 || c.prefix > 28) throw new Ec2Error(rangeCode, `The CIDR '${cidr}' is invalid.`);
  return c;
}

function renderVpc(vpc: Vpc, state: 'pending' | 'available'): XmlChild[] {
  return [
    el('vpcId', vpc.id),
    el('ownerId', ACCOUNT_ID),
    el('state', state),
    el('cidrBlock', vpc.cidr),
    items('cidrBlockAssociationSet', [vpc], (v) => [
      el('associationId', v.cidrAssociationId),
      el('cidrBlock', v.cidr),
      node('cidrBlockState', [el('state', 'associated')]),
    ]),
    node('ipv6CidrBlockAssociationSet', []),
    el('dhcpOptionsId', vpc.dhcpOptionsId),
    tagSet(vpc.tags),
    el('instanceTenancy', 'default'),
    el('isDefault', vpc.isDefault),
  ];
}

export function createVpc(ctx: Ctx): XmlChild[] {
  const cidr = ctx.params.req('CidrBlock');
  checkCidr('cidrBlock', cidr, 'InvalidVpc.Range');
  const tags = tagsFromSpecs(ctx.params, ['vpc'], 'vpc');
  const vpc = newVpc(ctx.env, ctx.region, cidr, false, tags);
  ctx.env.changed();
  return [node('vpc', renderVpc(vpc, 'pending'))];
}

export function describeVpcs(ctx: Ctx): XmlChild[] {
  const base = namedOrAll(ctx.region.vpcs, ctx.params.list('VpcId'), 'vpc', 'InvalidVpcID.Malformed', 'InvalidVpcID.NotFound', 'vpc');
  const filtered = applyFilters(base, ctx.params.filters(), {
    'vpc-id': (v) => v.id,
    cidr: (v) => v.cidr,
    'cidr-block': (v) => v.cidr,
    'cidr-block-association.cidr-block': (v) => v.cidr,
    'cidr-block-association.association-id': (v) => v.cidrAssociationId,
    'cidr-block-association.state': () => 'associated',
    'dhcp-options-id': (v) => v.dhcpOptionsId,
    'is-default': (v) => v.isDefault,
    'isDefault': (v) => v.isDefault,
    'owner-id': () => ACCOUNT_ID,
    state: () => 'available',
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 1000 }, (v) => v.seq);
  return [items('vpcSet', page.items, (v) => renderVpc(v, 'available')), el('nextToken', page.nextToken)];
}

export function deleteVpc(ctx: Ctx): XmlChild[] {
  const vpc = getVpc(ctx.region, ctx.params.req('VpcId'));
  const r = ctx.region;
  const inVpc = <T extends { vpcId?: string }>(m: Map<string, T>) => [...m.values()].filter((x) => x.vpcId === vpc.id);
  const blocking =
    inVpc(r.subnets).length > 0 ||
    inVpc(r.internetGateways).length > 0 ||
    inVpc(r.securityGroups).some((sg) => sg.name !== 'default') ||
    inVpc(r.routeTables).some((rt) => !rt.associations.some((a) => a.main));
  if (blocking) throw err.dependency('vpc', vpc.id);
  for (const sg of inVpc(r.securityGroups)) r.securityGroups.delete(sg.id);
  for (const rt of inVpc(r.routeTables)) r.routeTables.delete(rt.id);
  r.vpcs.delete(vpc.id);
  if (r.defaultVpcId === vpc.id) delete r.defaultVpcId;
  ctx.env.changed();
  return [el('return', true)];
}

/** Private addresses in use in a subnet (instances that still hold one). */
export function usedAddresses(region: RegionData, subnetId: string): number {
  let n = 0;
  for (const i of region.instances.values()) if (i.subnetId === subnetId && i.state !== 'terminated') n++;
  return n;
}

function renderSubnet(region: RegionData, s: Subnet, state: 'pending' | 'available'): XmlChild[] {
  const c = parseCidr(s.cidr);
  return [
    el('subnetId', s.id),
    el('subnetArn', `arn:aws:ec2:${region.name}:${ACCOUNT_ID}:subnet/${s.id}`),
    el('state', state),
    el('ownerId', ACCOUNT_ID),
    el('vpcId', s.vpcId),
    el('cidrBlock', s.cidr),
    node('ipv6CidrBlockAssociationSet', []),
    el('availableIpAddressCount', (c ? usableAddresses(c) : 0) - usedAddresses(region, s.id)),
    el('availabilityZone', s.az),
    el('availabilityZoneId', s.azId),
    el('defaultForAz', s.defaultForAz),
    el('mapPublicIpOnLaunch', s.mapPublicIpOnLaunch),
    el('mapCustomerOwnedIpOnLaunch', false),
    el('assignIpv6AddressOnCreation', false),
    tagSet(s.tags),
    el('enableDns64', false),
    el('ipv6Native', false),
    node('privateDnsNameOptionsOnLaunch', [
      el('hostnameType', 'ip-name'),
      el('enableResourceNameDnsARecord', false),
      el('enableResourceNameDnsAAAARecord', false),
    ]),
  ];
}

function pickZone(ctx: Ctx, vpc: Vpc): number {
  const region = findRegion(ctx.region.name);
  const zones = region?.zones ?? [];
  const az = ctx.params.str('AvailabilityZone');
  const azId = ctx.params.str('AvailabilityZoneId');
  if (az !== undefined || azId !== undefined) {
    const i = az !== undefined ? zones.indexOf(az) : (region?.zoneIds ?? []).indexOf(azId ?? '');
    if (i < 0) {
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value (${az ?? azId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(', ')}.`,
      );
    }
    return i;
  }
  // EC2 picks a zone for you; spread subnets of a VPC over the zones.
  const count = [...ctx.region.subnets.values()].filter((s) => s.vpcId === vpc.id).length;
  return zones.length ? count % zones.length : 0;
}

export function createSubnet(ctx: Ctx): XmlChild[] {
  const vpc = getVpc(ctx.region, ctx.params.req('VpcId'));
  const cidr = ctx.params.req('CidrBlock');
  const c = checkCidr('cidrBlock', cidr, 'InvalidSubnet.Range');
  const vc = parseCidr(vpc.cidr);
  if (!vc || !contains(vc, c)) throw new Ec2Error('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
  for (const s of ctx.region.subnets.values()) {
    const sc = parseCidr(s.cidr);
    if (s.vpcId === vpc.id && sc && overlaps(sc, c)) {
      throw new Ec2Error('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
    }
  }
  const zone = pickZone(ctx, vpc);
  const tags = tagsFromSpecs(ctx.params, ['subnet'], 'subnet');
  const subnet = newSubnet(ctx.env, ctx.region, vpc, cidr, zone, { defaultForAz: false, mapPublicIpOnLaunch: false, tags });
  ctx.env.changed();
  return [node('subnet', renderSubnet(ctx.region, subnet, 'pending'))];
}

export function describeSubnets(ctx: Ctx): XmlChild[] {
  const base = namedOrAll(ctx.region.subnets, ctx.params.list('SubnetId'), 'subnet', 'InvalidSubnetID.Malformed', 'InvalidSubnetID.NotFound', 'subnet');
  const filtered = applyFilters(base, ctx.params.filters(), {
    'subnet-id': (s) => s.id,
    'vpc-id': (s) => s.vpcId,
    vpcId: (s) => s.vpcId,
    'cidr-block': (s) => s.cidr,
    cidr: (s) => s.cidr,
    cidrBlock: (s) => s.cidr,
    'availability-zone': (s) => s.az,
    availabilityZone: (s) => s.az,
    'availability-zone-id': (s) => s.azId,
    'default-for-az': (s) => s.defaultForAz,
    defaultForAz: (s) => s.defaultForAz,
    'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
    'owner-id': () => ACCOUNT_ID,
    state: () => 'available',
    'subnet-arn': (s) => `arn:aws:ec2:${ctx.region.name}:${ACCOUNT_ID}:subnet/${s.id}`,
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 1000 }, (s) => s.seq);
  return [items('subnetSet', page.items, (s) => renderSubnet(ctx.region, s, 'available')), el('nextToken', page.nextToken)];
}

export function deleteSubnet(ctx: Ctx): XmlChild[] {
  const subnet = getSubnet(ctx.region, ctx.params.req('SubnetId'));
  if (usedAddresses(ctx.region, subnet.id) > 0) throw err.dependency('subnet', subnet.id);
  for (const rt of ctx.region.routeTables.values()) {
    rt.associations = rt.associations.filter((a) => a.subnetId !== subnet.id);
  }
  ctx.region.subnets.delete(subnet.id);
  ctx.env.changed();
  return [el('return', true)];
}

export function modifySubnetAttribute(ctx: Ctx): XmlChild[] {
  const subnet = getSubnet(ctx.region, ctx.params.req('SubnetId'));
  const map = ctx.params.sub('MapPublicIpOnLaunch').bool('Value');
  if (map !== undefined) subnet.mapPublicIpOnLaunch = map;
  ctx.env.changed();
  return [el('return', true)];
}
