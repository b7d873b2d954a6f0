/** Microsoft.Network public IP addresses. */
import { findAzureRegion } from '../data/azure.js';
import { type ArmCtx, type ArmResponse, arr, checkName, group, obj, param, props, sameText, str } from './context.js';
import { ArmError } from './errors.js';
import { idOf, type IpConfiguration, type NetworkInterface, type PublicIp, TYPES } from './model.js';
import { createOrUpdate, etag, getter, remove } from './network-base.js';


/** The NIC ip configuration a public IP is attached to. */
export function pipUser(ctx: ArmCtx, pipId: string): { nic: NetworkInterface; ipc: IpConfiguration } | undefined {
  for (const nic of ctx.sub.nics.values()) {
    const ipc = nic.ipConfigurations.find((c) => sameText(c.publicIpId, pipId));
    if (ipc) return { nic, ipc };
  }
  return undefined;
}

/** The address a VM actually serves SSH on wins (the lifecycle may have had to move it). */
function syncAddress(ctx: ArmCtx, pip: PublicIp, user: { nic: NetworkInterface } | undefined): void {
  const vm = user?.nic.vmId ? ctx.sub.vms.get(user.nic.vmId.toLowerCase()) : undefined;
  if (vm?.power.publicIp && vm.power.publicIp !== pip.ipAddress) {
    pip.ipAddress = vm.power.publicIp;
    ctx.engine.changed();
  }
}

export function renderPip(ctx: ArmCtx, p: PublicIp): unknown {
  const id = idOf(ctx.sub.id, 'pips', p);
  const user = pipUser(ctx, id);
  syncAddress(ctx, p, user);
  return {
    name: p.name,
    id,
    etag: etag(p.guid),
    location: p.location,
    ...(p.zones ? { zones: p.zones } : {}),
    tags: p.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: p.guid,
      ...(p.ipAddress ? { ipAddress: p.ipAddress } : {}),
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: p.allocation,
      idleTimeoutInMinutes: 4,
      ipTags: [],
      ...(user ? { ipConfiguration: { id: `${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}` } } : {}),
    },
    sku: { name: p.sku, tier: 'Regional' },
    type: TYPES.pips,
  };
}

function checkZones(loc: string, zones: unknown): string[] | undefined {
  const list = arr(zones).map(String);
  if (!list.length) return undefined;
  const region = findAzureRegion(loc);
  for (const z of list) {
    if (!region?.zones.includes(z)) {
      throw new ArmError(400, 'InvalidAvailabilityZone', `The zone(s) '${z}' for resource is not supported. The supported zones for location '${loc}' are '${region?.zones.join(',') ?? ''}'`);
    }
  }
  return list;
}

export function putPip(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.pips);
  const p = props(ctx);
  const skuName = str(obj(ctx.body.sku).name) ?? 'Standard';
  if (skuName !== 'Basic' && skuName !== 'Standard') throw new ArmError(400, 'InvalidPublicIpSku', `Public IP SKU ${skuName} is not valid.`);
  const allocation = str(p.publicIPAllocationMethod) ?? (skuName === 'Standard' ? 'Static' : 'Dynamic');
  if (allocation !== 'Static' && allocation !== 'Dynamic') throw new ArmError(400, 'InvalidRequestFormat', `Cannot parse the request: publicIPAllocationMethod '${allocation}'.`);
  if (skuName === 'Standard' && allocation !== 'Static') {
    throw new ArmError(400, 'StandardSkuPublicIPAddressesMustBeStatic', `Standard sku publicIp /subscriptions/${ctx.sub.id}/resourceGroups/${g.name}/providers/Microsoft.Network/publicIPAddresses/${name} must be static.`);
  }
  const sku: PublicIp['sku'] = skuName;
  const method: PublicIp['allocation'] = allocation;
  return createOrUpdate(ctx, 'pips', g.name, name, {
    render: renderPip,
    update: () => undefined,
    create: (loc) => {
      const zones = checkZones(loc, ctx.body.zones);
      return {
        sku,
        allocation: method,
        // A static address is reserved at once; a dynamic one when its VM first starts.
        ...(method === 'Static' ? { ipAddress: ctx.engine.allocateIp() } : {}),
        ...(zones ? { zones } : {}),
      };
    },
  });
}

export const getPip = getter('pips', renderPip);

export function deletePip(ctx: ArmCtx): ArmResponse {
  return remove(ctx, 'pips', (pip) => {
    const id = idOf(ctx.sub.id, 'pips', pip);
    const user = pipUser(ctx, id);
    if (!user) return undefined;
    return new ArmError(400, 'PublicIPAddressCannotBeDeleted', `Public IP address ${id} can not be deleted since it is still allocated to resource ${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`);
  });
}
