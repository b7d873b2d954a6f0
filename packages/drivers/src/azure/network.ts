/**
 * The per-connection default network: resource group → network security group allowing SSH →
 * virtual network with one subnet bound to that group. Resources have fixed names under the
 * connection's group, so a run that died half-way is adopted by the next, and every one is tagged.
 */
import type { NetworkSecurityGroup, SecurityRule, Subnet, VirtualNetwork } from '@azure/arm-network';
import type { DefaultNetwork, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { TAG } from '@cloud-barista/core/domain';
import { OperationError } from '@cloud-barista/core/errors';
import { all, az, type AzureContext, lro } from './context.js';
import { isNotFound } from './errors.js';
import { nsgName, parseArmId, subnetName, vnetName } from './names.js';

export const VNET_CIDR = '10.0.0.0/16';
export const SUBNET_CIDR = '10.0.1.0/24';
const SSH_RULE = 'allow-ssh';

/** undefined when the call answers not-found. */
export async function orNone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Runs a delete; "already gone" counts as done. */
export async function gone(p: Promise<unknown>): Promise<void> {
  await orNone(p);
}

function allowsSsh(rules: SecurityRule[] | undefined): boolean {
  return (rules ?? []).some(
    (r) =>
      r.direction === 'Inbound' &&
      r.access === 'Allow' &&
      (r.protocol === 'Tcp' || r.protocol === '*') &&
      (r.destinationPortRange === '22' || r.destinationPortRange === '*') &&
      (r.sourceAddressPrefix === '*' || r.sourceAddressPrefix === 'Internet'),
  );
}

const sshRule: SecurityRule = {
  name: SSH_RULE,
  protocol: 'Tcp',
  sourceAddressPrefix: '*',
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: '22',
  access: 'Allow',
  priority: 1000,
  direction: 'Inbound',
  description: 'SSH from anywhere (Cloud-Barista default)',
};

export function createNetwork(ctx: AzureContext): NetworkApi {
  const { network, resources } = ctx.clients;
  const rg = ctx.resourceGroup;

  async function ensureGroup(tags: Tags): Promise<void> {
    const g = await orNone(az(ctx, () => resources.resourceGroups.get(rg)));
    if (g) return;
    await az(ctx, () => resources.resourceGroups.createOrUpdate(rg, { location: ctx.location, tags }));
  }

  async function ensureNsg(name: string, tags: Tags): Promise<NetworkSecurityGroup> {
    const found = await orNone(az(ctx, () => network.networkSecurityGroups.get(rg, name)));
    if (found && allowsSsh(found.securityRules)) return found;
    if (found) {
      await az(ctx, () => network.securityRules.beginCreateOrUpdateAndWait(rg, name, SSH_RULE, sshRule, lro(ctx)));
      return found;
    }
    return az(ctx, () => network.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, name, { location: ctx.location, tags, securityRules: [sshRule] }, lro(ctx)));
  }

  async function ensureVnet(base: string, tags: Tags, nsgId: string): Promise<{ vnet: VirtualNetwork; subnet: Subnet }> {
    const name = vnetName(base);
    const sname = subnetName(base);
    const wanted: Subnet = { name: sname, addressPrefix: SUBNET_CIDR, networkSecurityGroup: { id: nsgId } };
    let vnet = await orNone(az(ctx, () => network.virtualNetworks.get(rg, name)));
    if (!vnet) {
      vnet = await az(ctx, () =>
        network.virtualNetworks.beginCreateOrUpdateAndWait(rg, name, { location: ctx.location, tags, addressSpace: { addressPrefixes: [VNET_CIDR] }, subnets: [wanted] }, lro(ctx)),
      );
    }
    let subnet = vnet.subnets?.find((s) => s.name === sname);
    if (!subnet || subnet.networkSecurityGroup?.id?.toLowerCase() !== nsgId.toLowerCase()) {
      subnet = await az(ctx, () => network.subnets.beginCreateOrUpdateAndWait(rg, name, sname, wanted, lro(ctx)));
    }
    return { vnet, subnet };
  }

  /** NICs and public IPs of ours that no VM uses any more (a create that failed half-way). */
  async function sweepOrphans(): Promise<void> {
    const [nics, pips] = await Promise.all([
      orNone(az(ctx, () => all(network.networkInterfaces.list(rg)))),
      orNone(az(ctx, () => all(network.publicIPAddresses.list(rg)))),
    ]);
    const ours = (t: Record<string, string> | undefined) => t?.[TAG.managed] === 'true';
    for (const nic of nics ?? []) {
      if (nic.name && ours(nic.tags) && !nic.virtualMachine) await gone(az(ctx, () => network.networkInterfaces.beginDeleteAndWait(rg, nic.name ?? '', lro(ctx))));
    }
    for (const pip of pips ?? []) {
      if (pip.name && ours(pip.tags) && !pip.ipConfiguration) await gone(az(ctx, () => network.publicIPAddresses.beginDeleteAndWait(rg, pip.name ?? '', lro(ctx))));
    }
  }

  return {
    async findDefault({ name }): Promise<DefaultNetwork | undefined> {
      const [vnet, nsg] = await Promise.all([
        orNone(az(ctx, () => network.virtualNetworks.get(rg, vnetName(name)))),
        orNone(az(ctx, () => network.networkSecurityGroups.get(rg, nsgName(name)))),
      ]);
      if (!vnet && !nsg) return undefined;
      // An empty id is a piece already gone: deleteDefault skips what it cannot parse.
      return {
        networkId: vnet?.id ?? '',
        subnetId: vnet?.subnets?.find((s) => s.name === subnetName(name))?.id ?? '',
        securityGroupId: nsg?.id ?? '',
        extra: { resourceGroup: rg },
      };
    },

    async ensureDefault({ name, tags }): Promise<DefaultNetwork> {
      await ensureGroup(tags);
      const nsg = await ensureNsg(nsgName(name), tags);
      if (!nsg.id) throw new OperationError(`network security group ${nsgName(name)} has no id`);
      const { vnet, subnet } = await ensureVnet(name, tags, nsg.id);
      if (!vnet.id || !subnet.id) throw new OperationError(`virtual network ${vnetName(name)} or its subnet has no id`);
      return {
        networkId: vnet.id,
        subnetId: subnet.id,
        securityGroupId: nsg.id,
        ...(ctx.connection.zone ? { zone: ctx.connection.zone } : {}),
        extra: { resourceGroup: rg },
      };
    },

    async deleteDefault(net: DefaultNetwork): Promise<void> {
      const group = net.extra.resourceGroup ?? parseArmId(net.networkId)?.resourceGroup ?? rg;
      const vnet = parseArmId(net.networkId)?.name;
      const nsg = parseArmId(net.securityGroupId)?.name;
      await sweepOrphans();
      // The subnet holds the group's association: the network goes first.
      if (vnet) await gone(az(ctx, () => network.virtualNetworks.beginDeleteAndWait(group, vnet, lro(ctx))));
      if (nsg) await gone(az(ctx, () => network.networkSecurityGroups.beginDeleteAndWait(group, nsg, lro(ctx))));
      // The group goes only if we made it and nothing else lives in it now.
      const g = await orNone(az(ctx, () => resources.resourceGroups.get(group)));
      if (!g || g.tags?.[TAG.managed] !== 'true') return;
      const left = await az(ctx, () => all(resources.resources.listByResourceGroup(group)));
      if (left.length === 0) await gone(az(ctx, () => resources.resourceGroups.beginDeleteAndWait(group, lro(ctx))));
    },
  };
}
