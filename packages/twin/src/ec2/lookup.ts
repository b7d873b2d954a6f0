/** Finding resources by id with EC2's malformed / not-found errors. */
import { Ec2Error, err } from './errors.js';
import { checkIds } from './ids.js';
import type { Instance, InternetGateway, RegionData, RouteTable, SecurityGroup, Subnet, Vpc } from './model.js';

function get<T>(m: Map<string, T>, id: string, prefix: string, malformed: string, notFound: string, noun: string): T {
  checkIds(prefix, malformed, [id]);
  const r = m.get(id);
  if (!r) throw err.notFound(notFound, noun, [id]);
  return r;
}

export function getVpc(region: RegionData, id: string): Vpc {
  return get(region.vpcs, id, 'vpc', 'InvalidVpcID.Malformed', 'InvalidVpcID.NotFound', 'vpc');
}

export function getSubnet(region: RegionData, id: string): Subnet {
  return get(region.subnets, id, 'subnet', 'InvalidSubnetID.Malformed', 'InvalidSubnetID.NotFound', 'subnet');
}

export function getInternetGateway(region: RegionData, id: string): InternetGateway {
  return get(
    region.internetGateways,
    id,
    'igw',
    'InvalidInternetGatewayId.Malformed',
    'InvalidInternetGatewayID.NotFound',
    'internetGateway',
  );
}

export function getRouteTable(region: RegionData, id: string): RouteTable {
  return get(region.routeTables, id, 'rtb', 'InvalidRouteTableId.Malformed', 'InvalidRouteTableID.NotFound', 'routeTable');
}

export function getSecurityGroup(region: RegionData, id: string): SecurityGroup {
  checkIds('sg', 'InvalidGroupId.Malformed', [id]);
  const sg = region.securityGroups.get(id);
  if (!sg) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return sg;
}

export function getInstance(region: RegionData, id: string): Instance {
  return get(region.instances, id, 'i', 'InvalidInstanceID.Malformed', 'InvalidInstanceID.NotFound', 'instance');
}

/** Looks up many ids at once: EC2 names every missing id in one error. */
export function getMany<T>(
  m: Map<string, T>,
  ids: readonly string[],
  prefix: string,
  malformed: string,
  notFound: string,
  noun: string,
): T[] {
  checkIds(prefix, malformed, ids);
  const missing = ids.filter((id) => !m.has(id));
  if (missing.length > 0) throw err.notFound(notFound, noun, missing);
  return ids.map((id) => m.get(id) as T);
}

/** What a Describe call lists: the resources with the ids it names (each must exist), else all. */
export function namedOrAll<T>(m: Map<string, T>, ids: readonly string[], prefix: string, malformed: string, notFound: string, noun: string): T[] {
  return ids.length ? getMany(m, ids, prefix, malformed, notFound, noun) : [...m.values()];
}
