/** Microsoft.Network virtual networks and their subnets. */
import { contains, overlaps, parseCidr } from '../ec2/cidr.js';
import { type ArmCtx, type ArmResponse, arr, checkName, group, obj, param, props, sameText, str } from './context.js';
import { ArmError, resourceNotFound } from './errors.js';
import { idOf, type Subnet, TYPES, type VirtualNetwork } from './model.js';
import { byRef, createOrUpdate, deleted, done, etag, find, getter, remove, storedId } from './network-base.js';

/** ipConfiguration ids of the NICs in a subnet. */
function subnetUsers(ctx: ArmCtx, subnetId: string): string[] {
  const out: string[] = [];
  for (const nic of ctx.sub.nics.values()) {
    for (const ipc of nic.ipConfigurations) {
      if (sameText(ipc.subnetId, subnetId)) out.push(`${idOf(ctx.sub.id, 'nics', nic)}/ipConfigurations/${ipc.name}`);
    }
  }
  return out;
}

function renderSubnet(ctx: ArmCtx, vnet: VirtualNetwork, s: Subnet): unknown {
  const id = `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${s.name}`;
  const users = subnetUsers(ctx, id);
  return {
    name: s.name,
    id,
    etag: etag(vnet.guid),
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: s.addressPrefix,
      ...(s.nsgId ? { networkSecurityGroup: { id: s.nsgId } } : {}),
      ...(users.length ? { ipConfigurations: users.map((u) => ({ id: u })) } : {}),
      delegations: [],
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
    },
  };
}

export function renderVnet(ctx: ArmCtx, v: VirtualNetwork): unknown {
  return {
    name: v.name,
    id: idOf(ctx.sub.id, 'vnets', v),
    etag: etag(v.guid),
    type: TYPES.vnets,
    location: v.location,
    tags: v.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: v.guid,
      addressSpace: { addressPrefixes: v.addressPrefixes },
      subnets: v.subnets.map((s) => renderSubnet(ctx, v, s)),
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
      enableVmProtection: false,
    },
  };
}

function parseSubnet(ctx: ArmCtx, vnetName: string, prefixes: string[], raw: Record<string, unknown>, name: string): Subnet {
  const p = obj(raw.properties);
  const prefix = str(p.addressPrefix) ?? str(arr(p.addressPrefixes)[0]);
  const cidr = prefix ? parseCidr(prefix) : undefined;
  if (!prefix || !cidr) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefix ?? '(none)'} of resource ${vnetName}/subnets/${name} is not formatted correctly.`);
  if (!prefixes.some((vp) => { const c = parseCidr(vp); return c !== undefined && contains(c, cidr); })) {
    throw new ArmError(400, 'NetcfgSubnetRangeOutsideVnet', `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnetName}'.`);
  }
  if (cidr.prefix > 29) throw new ArmError(400, 'NetcfgInvalidSubnet', `Subnet '${name}' is not valid in virtual network '${vnetName}'. The smallest supported subnet is /29.`);
  const nsgId = str(obj(p.networkSecurityGroup).id);
  if (nsgId) byRef(ctx, 'nsgs', nsgId, `${vnetName}/subnets/${name}`);
  return { name, addressPrefix: prefix, ...(nsgId ? { nsgId: storedId(ctx, 'nsgs', nsgId) } : {}) };
}


function checkNoOverlap(vnetName: string, subnets: Subnet[]): void {
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      const a = parseCidr(subnets[i]?.addressPrefix ?? '');
      const b = parseCidr(subnets[j]?.addressPrefix ?? '');
      if (a && b && overlaps(a, b)) {
        throw new ArmError(400, 'NetcfgSubnetRangesOverlap', `Subnet '${subnets[j]?.name}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '${vnetName}'.`);
      }
    }
  }
}

function inUseSubnet(ctx: ArmCtx, vnet: VirtualNetwork, s: Subnet): ArmError | undefined {
  const users = subnetUsers(ctx, `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${s.name}`);
  if (!users.length) return undefined;
  return new ArmError(400, 'InUseSubnetCannotBeDeleted', `Subnet ${s.name} is in use by ${users[0]} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`);
}


export function putVnet(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.vnets, 64);
  const p = props(ctx);
  const prefixes = arr(obj(p.addressSpace).addressPrefixes).filter((x): x is string => typeof x === 'string');
  if (!prefixes.length || prefixes.some((x) => !parseCidr(x))) {
    throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefixes.join(',') || '(none)'} of resource ${name} is not formatted correctly.`);
  }
  const subnets = arr(p.subnets).map((raw) => {
    const r = obj(raw);
    const n = str(r.name);
    if (!n) throw new ArmError(400, 'InvalidRequestFormat', 'Cannot parse the request: a subnet has no name.');
    return parseSubnet(ctx, name, prefixes, r, n);
  });
  checkNoOverlap(name, subnets);
  return createOrUpdate(ctx, 'vnets', g.name, name, {
    render: renderVnet,
    update: (existing) => {
      for (const old of existing.subnets) {
        if (!subnets.some((s) => sameText(s.name, old.name))) {
          const e = inUseSubnet(ctx, existing, old);
          if (e) throw e;
        }
      }
      existing.addressPrefixes = prefixes;
      existing.subnets = subnets;
    },
    create: () => ({ addressPrefixes: prefixes, subnets }),
  });
}

export const getVnet = getter('vnets', renderVnet);

export function deleteVnet(ctx: ArmCtx): ArmResponse {
  return remove(ctx, 'vnets', (v) => v.subnets.map((s) => inUseSubnet(ctx, v, s)).find((e) => e !== undefined));
}

function subnetOf(ctx: ArmCtx, v: VirtualNetwork): Subnet {
  const name = param(ctx, 'subnet');
  const s = v.subnets.find((x) => sameText(x.name, name));
  if (!s) throw resourceNotFound(`${TYPES.vnets}/${v.name}/subnets`, name, v.resourceGroup);
  return s;
}

export function putSubnet(ctx: ArmCtx): ArmResponse {
  group(ctx, true);
  const v = find(ctx, 'vnets');
  const name = param(ctx, 'subnet');
  const s = parseSubnet(ctx, v.name, v.addressPrefixes, ctx.body, name);
  const i = v.subnets.findIndex((x) => sameText(x.name, name));
  const next = i >= 0 ? v.subnets.map((x, j) => (j === i ? { ...s, name: x.name } : x)) : [...v.subnets, s];
  checkNoOverlap(v.name, next);
  v.subnets = next;
  return done(ctx, i >= 0 ? 200 : 201, renderSubnet(ctx, v, subnetOf(ctx, v)), v.location);
}

export function getSubnet(ctx: ArmCtx): ArmResponse {
  const v = find(ctx, 'vnets');
  return { status: 200, body: renderSubnet(ctx, v, subnetOf(ctx, v)) };
}

export function listSubnets(ctx: ArmCtx): ArmResponse {
  const v = find(ctx, 'vnets');
  return { status: 200, body: { value: v.subnets.map((s) => renderSubnet(ctx, v, s)) } };
}

export function deleteSubnet(ctx: ArmCtx): ArmResponse {
  const v = find(ctx, 'vnets');
  const name = param(ctx, 'subnet');
  const s = v.subnets.find((x) => sameText(x.name, name));
  if (!s) return { status: 204 };
  const e = inUseSubnet(ctx, v, s);
  if (e) throw e;
  v.subnets = v.subnets.filter((x) => x !== s);
  return deleted(ctx, v.location);
}
