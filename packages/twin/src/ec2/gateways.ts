/** Internet gateways and route tables. */
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { newId } from './ids.js';
import { getInternetGateway, namedOrAll, getRouteTable, getSubnet, getVpc } from './lookup.js';
import { ACCOUNT_ID, type InternetGateway, type RouteTable } from './model.js';
import { paginate } from './paging.js';
import { tagsFromSpecs } from './query.js';
import { newRouteTable } from './records.js';
import { tagSet } from './tags.js';
import { el, items, node, type XmlChild } from './xml.js';

function renderIgw(igw: InternetGateway): XmlChild[] {
  return [
    el('internetGatewayId', igw.id),
    el('ownerId', ACCOUNT_ID),
    items('attachmentSet', igw.vpcId ? [igw.vpcId] : [], (vpcId) => [el('vpcId', vpcId), el('state', 'available')]),
    tagSet(igw.tags),
  ];
}

export function createInternetGateway(ctx: Ctx): XmlChild[] {
  const tags = tagsFromSpecs(ctx.params, ['internet-gateway'], 'internet-gateway');
  const igw: InternetGateway = { id: newId('igw'), seq: ctx.env.nextSeq(), tags };
  ctx.region.internetGateways.set(igw.id, igw);
  ctx.env.changed();
  return [node('internetGateway', renderIgw(igw))];
}

export function attachInternetGateway(ctx: Ctx): XmlChild[] {
  const igw = getInternetGateway(ctx.region, ctx.params.req('InternetGatewayId'));
  const vpc = getVpc(ctx.region, ctx.params.req('VpcId'));
  if (igw.vpcId) {
    throw new Ec2Error('Resource.AlreadyAssociated', `resource ${igw.id} is already attached to network ${igw.vpcId}`);
  }
  const other = [...ctx.region.internetGateways.values()].find((g) => g.vpcId === vpc.id);
  if (other) {
    throw new Ec2Error('Resource.AlreadyAssociated', `Network ${vpc.id} already has an internet gateway attached`);
  }
  igw.vpcId = vpc.id;
  ctx.env.changed();
  return [el('return', true)];
}

export function detachInternetGateway(ctx: Ctx): XmlChild[] {
  const igw = getInternetGateway(ctx.region, ctx.params.req('InternetGatewayId'));
  const vpc = getVpc(ctx.region, ctx.params.req('VpcId'));
  if (igw.vpcId !== vpc.id) {
    throw new Ec2Error('Gateway.NotAttached', `resource ${igw.id} is not attached to network ${vpc.id}`);
  }
  const publicInstances = [...ctx.region.instances.values()].some(
    (i) => i.vpcId === vpc.id && i.publicIp !== undefined && i.state !== 'terminated',
  );
  if (publicInstances) {
    throw new Ec2Error(
      'DependencyViolation',
      `Network ${vpc.id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
  }
  delete igw.vpcId;
  ctx.env.changed();
  return [el('return', true)];
}

export function deleteInternetGateway(ctx: Ctx): XmlChild[] {
  const igw = getInternetGateway(ctx.region, ctx.params.req('InternetGatewayId'));
  if (igw.vpcId) throw err.dependency('internetGateway', igw.id);
  ctx.region.internetGateways.delete(igw.id);
  ctx.env.changed();
  return [el('return', true)];
}

export function describeInternetGateways(ctx: Ctx): XmlChild[] {
  const base = namedOrAll(ctx.region.internetGateways, ctx.params.list('InternetGatewayId'), 'igw', 'InvalidInternetGatewayId.Malformed', 'InvalidInternetGatewayID.NotFound', 'internetGateway');
  const filtered = applyFilters(base, ctx.params.filters(), {
    'internet-gateway-id': (g) => g.id,
    'attachment.vpc-id': (g) => g.vpcId,
    'attachment.state': (g) => (g.vpcId ? 'available' : undefined),
    'owner-id': () => ACCOUNT_ID,
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 1000 }, (g) => g.seq);
  return [items('internetGatewaySet', page.items, renderIgw), el('nextToken', page.nextToken)];
}

function routeState(ctx: Ctx, gatewayId: string, vpcId: string): 'active' | 'blackhole' {
  if (gatewayId === 'local') return 'active';
  return ctx.region.internetGateways.get(gatewayId)?.vpcId === vpcId ? 'active' : 'blackhole';
}

function renderRouteTable(ctx: Ctx, rt: RouteTable): XmlChild[] {
  return [
    el('routeTableId', rt.id),
    el('vpcId', rt.vpcId),
    el('ownerId', ACCOUNT_ID),
    items('routeSet', rt.routes, (r) => [
      el('destinationCidrBlock', r.destination),
      el('gatewayId', r.gatewayId),
      el('state', routeState(ctx, r.gatewayId, rt.vpcId)),
      el('origin', r.origin),
    ]),
    items('associationSet', rt.associations, (a) => [
      el('routeTableAssociationId', a.id),
      el('routeTableId', rt.id),
      el('subnetId', a.subnetId),
      el('main', a.main),
      node('associationState', [el('state', 'associated')]),
    ]),
    node('propagatingVgwSet', []),
    tagSet(rt.tags),
  ];
}

export function createRouteTable(ctx: Ctx): XmlChild[] {
  const vpc = getVpc(ctx.region, ctx.params.req('VpcId'));
  const tags = tagsFromSpecs(ctx.params, ['route-table'], 'route-table');
  const rt = newRouteTable(ctx.env, ctx.region, vpc, false, tags);
  ctx.env.changed();
  return [node('routeTable', renderRouteTable(ctx, rt)), el('clientToken', ctx.params.str('ClientToken'))];
}

export function describeRouteTables(ctx: Ctx): XmlChild[] {
  const base = namedOrAll(ctx.region.routeTables, ctx.params.list('RouteTableId'), 'rtb', 'InvalidRouteTableId.Malformed', 'InvalidRouteTableID.NotFound', 'routeTable');
  const filtered = applyFilters(base, ctx.params.filters(), {
    'route-table-id': (rt) => rt.id,
    'vpc-id': (rt) => rt.vpcId,
    'association.main': (rt) => (rt.associations.some((a) => a.main) ? ['true'] : ['false']),
    'association.subnet-id': (rt) => rt.associations.map((a) => a.subnetId),
    'association.route-table-association-id': (rt) => rt.associations.map((a) => a.id),
    'association.route-table-id': (rt) => (rt.associations.length ? rt.id : undefined),
    'route.destination-cidr-block': (rt) => rt.routes.map((r) => r.destination),
    'route.gateway-id': (rt) => rt.routes.map((r) => r.gatewayId),
    'route.origin': (rt) => rt.routes.map((r) => r.origin),
    'owner-id': () => ACCOUNT_ID,
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 100 }, (rt) => rt.seq);
  return [items('routeTableSet', page.items, (rt) => renderRouteTable(ctx, rt)), el('nextToken', page.nextToken)];
}

export function createRoute(ctx: Ctx): XmlChild[] {
  const rt = getRouteTable(ctx.region, ctx.params.req('RouteTableId'));
  const destination = ctx.params.req('DestinationCidrBlock');
  const gatewayId = ctx.params.str('GatewayId');
  if (!gatewayId) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, instanceId, transitGatewayId or localGatewayId',
    );
  }
  const igw = getInternetGateway(ctx.region, gatewayId);
  if (igw.vpcId !== rt.vpcId) {
    throw new Ec2Error('InvalidParameterValue', `route table ${rt.id} and network gateway ${igw.id} belong to different networks`);
  }
  if (rt.routes.some((r) => r.destination === destination)) {
    throw new Ec2Error('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
  }
  rt.routes.push({ destination, gatewayId: igw.id, origin: 'CreateRoute' });
  ctx.env.changed();
  return [el('return', true)];
}

export function deleteRoute(ctx: Ctx): XmlChild[] {
  const rt = getRouteTable(ctx.region, ctx.params.req('RouteTableId'));
  const destination = ctx.params.req('DestinationCidrBlock');
  const i = rt.routes.findIndex((r) => r.destination === destination && r.origin === 'CreateRoute');
  if (i < 0) {
    throw new Ec2Error('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${rt.id}`);
  }
  rt.routes.splice(i, 1);
  ctx.env.changed();
  return [el('return', true)];
}

export function associateRouteTable(ctx: Ctx): XmlChild[] {
  const rt = getRouteTable(ctx.region, ctx.params.req('RouteTableId'));
  const subnet = getSubnet(ctx.region, ctx.params.req('SubnetId'));
  if (subnet.vpcId !== rt.vpcId) {
    throw new Ec2Error('InvalidParameterValue', `Route table ${rt.id} and subnet ${subnet.id} belong to different networks`);
  }
  for (const other of ctx.region.routeTables.values()) {
    if (other.associations.some((a) => a.subnetId === subnet.id)) {
      throw new Ec2Error(
        'Resource.AlreadyAssociated',
        `the specified association for route table ${other.id} conflicts with an existing association`,
      );
    }
  }
  const id = newId('rtbassoc');
  rt.associations.push({ id, main: false, subnetId: subnet.id });
  ctx.env.changed();
  return [el('associationId', id), node('associationState', [el('state', 'associated')])];
}

export function disassociateRouteTable(ctx: Ctx): XmlChild[] {
  const id = ctx.params.req('AssociationId');
  for (const rt of ctx.region.routeTables.values()) {
    const a = rt.associations.find((x) => x.id === id);
    if (!a) continue;
    if (a.main) {
      throw new Ec2Error('InvalidParameterValue', `cannot disassociate the main route table association ${id}`);
    }
    rt.associations = rt.associations.filter((x) => x.id !== id);
    ctx.env.changed();
    return [el('return', true)];
  }
  throw new Ec2Error('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
}

export function deleteRouteTable(ctx: Ctx): XmlChild[] {
  const rt = getRouteTable(ctx.region, ctx.params.req('RouteTableId'));
  if (rt.associations.length > 0) throw err.dependency('routeTable', rt.id);
  ctx.region.routeTables.delete(rt.id);
  ctx.env.changed();
  return [el('return', true)];
}
