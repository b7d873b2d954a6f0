/** Constructors for stored network records, shared by the handlers (and default-VPC setup). */
import { createHash } from 'node:crypto';
import { findRegion } from '../data/aws.js';
import type { Ec2Env } from './context.js';
import { intToIp, parseCidr } from './cidr.js';
import { newId } from './ids.js';
import { EC2_KINDS, type Ec2Resources, type RegionData, type RouteTable, type SecurityGroup, type SgRule, type Subnet, type Tag, type Vpc } from './model.js';
import { newTables } from '../region-tables.js';

export function newRegionData(name: string): RegionData {
  return { name, ...newTables<Ec2Resources>(EC2_KINDS) };
}

export function allowAllEgress(): SgRule {
  return { id: newId('sgr'), egress: true, protocol: '-1', cidrIpv4: '0.0.0.0/0' };
}

export function newSecurityGroup(
  env: Ec2Env,
  region: RegionData,
  vpcId: string,
  name: string,
  description: string,
  tags: Tag[],
): SecurityGroup {
  const sg: SecurityGroup = { id: newId('sg'), seq: env.nextSeq(), tags, name, description, vpcId, rules: [allowAllEgress()] };
  region.securityGroups.set(sg.id, sg);
  return sg;
}

export function newRouteTable(env: Ec2Env, region: RegionData, vpc: Vpc, main: boolean, tags: Tag[]): RouteTable {
  const rt: RouteTable = {
    id: newId('rtb'),
    seq: env.nextSeq(),
    tags,
    vpcId: vpc.id,
    routes: [{ destination: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable' }],
    associations: main ? [{ id: newId('rtbassoc'), main: true }] : [],
  };
  region.routeTables.set(rt.id, rt);
  return rt;
}

/**
 * A VPC as EC2 creates it: with its main route table (local route only) and its `default`
 * security group (all traffic from itself, all egress).
 */
export function newVpc(env: Ec2Env, region: RegionData, cidr: string, isDefault: boolean, tags: Tag[]): Vpc {
  const vpc: Vpc = {
    id: newId('vpc'),
    seq: env.nextSeq(),
    tags,
    cidr,
    cidrAssociationId: newId('vpc-cidr-assoc'),
    isDefault,
    dhcpOptionsId: `dopt-0${createHash('sha256').update(region.name).digest('hex').slice(0, 16)}`,
    dnsHostnames: isDefault,
  };
  region.vpcs.set(vpc.id, vpc);
  newRouteTable(env, region, vpc, true, []);
  const sg = newSecurityGroup(env, region, vpc.id, 'default', 'default VPC security group', []);
  sg.rules.unshift({ id: newId('sgr'), egress: false, protocol: '-1', groupId: sg.id });
  return vpc;
}

export function newSubnet(
  env: Ec2Env,
  region: RegionData,
  vpc: Vpc,
  cidr: string,
  zoneIndex: number,
  opts: { defaultForAz: boolean; mapPublicIpOnLaunch: boolean; tags: Tag[] },
): Subnet {
  const r = findRegion(region.name);
  const subnet: Subnet = {
    id: newId('subnet'),
    seq: env.nextSeq(),
    tags: opts.tags,
    vpcId: vpc.id,
    cidr,
    az: r?.zones[zoneIndex] ?? `${region.name}a`,
    azId: r?.zoneIds[zoneIndex] ?? 'az1',
    defaultForAz: opts.defaultForAz,
    mapPublicIpOnLaunch: opts.mapPublicIpOnLaunch,
    nextIpOffset: 4,
  };
  region.subnets.set(subnet.id, subnet);
  return subnet;
}

/**
 * Every AWS region comes with a default VPC (172.31.0.0/16), one default /20 subnet per zone
 * that maps public IPs on launch, an attached internet gateway and a default route to it.
 */
export function addDefaultVpc(env: Ec2Env, region: RegionData): Vpc {
  const vpc = newVpc(env, region, '172.31.0.0/16', true, []);
  const base = parseCidr(vpc.cidr)?.base ?? 0;
  const zones = findRegion(region.name)?.zones ?? [];
  zones.forEach((_, i) => {
    newSubnet(env, region, vpc, `${intToIp(base + i * 4096)}/20`, i, {
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      tags: [],
    });
  });
  const igw = { id: newId('igw'), seq: env.nextSeq(), tags: [], vpcId: vpc.id };
  region.internetGateways.set(igw.id, igw);
  for (const rt of region.routeTables.values()) {
    if (rt.vpcId === vpc.id) rt.routes.push({ destination: '0.0.0.0/0', gatewayId: igw.id, origin: 'CreateRoute' });
  }
  region.defaultVpcId = vpc.id;
  return vpc;
}
