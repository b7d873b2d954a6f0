/** Microsoft.Network network interfaces: private addresses from their subnet, an optional public IP and NSG. */
import { randomUUID } from 'node:crypto';
import { containsIp, intToIp, ipToInt, parseCidr, size } from '../ec2/cidr.js';
import { type ArmCtx, type ArmResponse, arr, checkName, group, location, obj, param, props, sameText, str } from './context.js';
import { ArmError } from './errors.js';
import { idOf, type IpConfiguration, type NetworkInterface, parseId, resourceId, TYPES } from './model.js';
import { byRef, createOrUpdate, etag, getter, invalidReference, key, remove } from './network-base.js';
import { pipUser } from './public-ips.js';

function macAddress(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase().match(/../g)?.join('-') ?? '00-0D-3A-00-00-00';
}

/** The next free private address of a subnet; Azure keeps the first four and the last one. */
function privateIp(ctx: ArmCtx, subnetId: string, prefix: string, subnetName: string): string {
  const c = parseCidr(prefix);
  if (!c) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefix} is not formatted correctly.`);
  const used = new Set<number>();
  for (const nic of ctx.sub.nics.values()) {
    for (const ipc of nic.ipConfigurations) if (sameText(ipc.subnetId, subnetId)) used.add(ipToInt(ipc.privateIp) ?? -1);
  }
  for (let off = 4; off < size(c) - 1; off++) {
    const ip = c.base + off;
    if (containsIp(c, ip) && !used.has(ip)) return intToIp(ip);
  }
  throw new ArmError(400, 'SubnetIsFull', `Subnet ${subnetName} with address prefix ${prefix} does not have enough capacity for 1 IP addresses.`);
}

export function renderNic(ctx: ArmCtx, n: NetworkInterface): unknown {
  const id = idOf(ctx.sub.id, 'nics', n);
  return {
    name: n.name,
    id,
    etag: etag(n.guid),
    location: n.location,
    tags: n.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: n.guid,
      ipConfigurations: n.ipConfigurations.map((c) => ({
        name: c.name,
        id: `${id}/ipConfigurations/${c.name}`,
        etag: etag(n.guid),
        type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          provisioningState: 'Succeeded',
          privateIPAddress: c.privateIp,
          privateIPAllocationMethod: 'Dynamic',
          ...(c.publicIpId ? { publicIPAddress: { id: c.publicIpId } } : {}),
          subnet: { id: c.subnetId },
          primary: c.primary,
          privateIPAddressVersion: 'IPv4',
        },
      })),
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      ...(n.vmId ? { macAddress: n.macAddress, primary: true, virtualMachine: { id: n.vmId } } : {}),
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      ...(n.nsgId ? { networkSecurityGroup: { id: n.nsgId } } : {}),
      nicType: 'Standard',
    },
    type: TYPES.nics,
  };
}

export function putNic(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.nics);
  const p = props(ctx);
  const loc = location(ctx, TYPES.nics);
  const existing = ctx.sub.nics.get(key(ctx, 'nics', g.name, name));
  const nicId = resourceId(ctx.sub.id, g.name, TYPES.nics, name);
  const raw = arr(p.ipConfigurations).map(obj);
  if (!raw.length) throw new ArmError(400, 'NetworkInterfaceMustHaveAtLeastOneIpConfiguration', `Network interface ${nicId} must have one or more IP configurations.`);
  const ipConfigurations = raw.map((r, i): IpConfiguration => {
    const cname = str(r.name) ?? `ipconfig${i + 1}`;
    const cp = obj(r.properties);
    const subnetRef = str(obj(cp.subnet).id) ?? '';
    const parsed = parseId(subnetRef);
    const vnet = parsed?.child ? ctx.sub.vnets.get(resourceId(ctx.sub.id, parsed.resourceGroup, TYPES.vnets, parsed.name).toLowerCase()) : undefined;
    const subnet = vnet?.subnets.find((s) => sameText(s.name, parsed?.child?.name));
    if (!vnet || !subnet || vnet.location !== loc) throw invalidReference(subnetRef, nicId);
    const subnetId = `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${subnet.name}`;
    const pipRef = str(obj(cp.publicIPAddress).id);
    let publicIpId: string | undefined;
    if (pipRef) {
      const pip = byRef(ctx, 'pips', pipRef, nicId);
      publicIpId = idOf(ctx.sub.id, 'pips', pip);
      const user = pipUser(ctx, publicIpId);
      if (user && !sameText(idOf(ctx.sub.id, 'nics', user.nic), nicId)) {
        throw new ArmError(400, 'PublicIPAddressInUse', `Resource ${publicIpId} is already in use by ${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}.`);
      }
      if (pip.location !== loc) throw invalidReference(pipRef, nicId);
    }
    const kept = existing?.ipConfigurations.find((c) => sameText(c.name, cname) && sameText(c.subnetId, subnetId));
    return {
      name: cname,
      subnetId,
      privateIp: kept?.privateIp ?? privateIp(ctx, subnetId, subnet.addressPrefix, subnet.name),
      ...(publicIpId ? { publicIpId } : {}),
      primary: typeof cp.primary === 'boolean' ? cp.primary : i === 0,
    };
  });
  const nsgRef = str(obj(p.networkSecurityGroup).id);
  const nsgId = nsgRef ? idOf(ctx.sub.id, 'nsgs', byRef(ctx, 'nsgs', nsgRef, nicId)) : undefined;
  return createOrUpdate(ctx, 'nics', g.name, name, {
    render: renderNic,
    update: (nic) => {
      nic.ipConfigurations = ipConfigurations;
      if (nsgId) nic.nsgId = nsgId;
      else delete nic.nsgId;
    },
    create: () => ({ ipConfigurations, macAddress: macAddress(), ...(nsgId ? { nsgId } : {}) }),
  });
}

export const getNic = getter('nics', renderNic);

export function deleteNic(ctx: ArmCtx): ArmResponse {
  return remove(ctx, 'nics', (nic) => {
    if (!nic.vmId) return undefined;
    return new ArmError(400, 'NicInUse', `Network Interface ${idOf(ctx.sub.id, 'nics', nic)} is used by existing resource ${nic.vmId}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`);
  });
}
