/** The ARM routes the twin serves: method, path pattern (after /subscriptions/{sub}), operation id. */
import * as catalog from './catalog.js';
import * as disks from './disks.js';
import type { ArmHandler } from './context.js';
import * as groups from './groups.js';
import type { ResourceMap } from './model.js';
import * as net from './network.js';
import { listResourceSkus } from './skus.js';
import * as vms from './vms.js';

export interface Route {
  method: string;
  /** Segments; `{x}` captures. Literal segments match case-insensitively, as ARM does. */
  pattern: string[];
  operationId: string;
  handler: ArmHandler;
  /** The resource the path names, for the request's region (fault rules, outages). */
  resource?: ResourceMap;
}

const R = (method: string, path: string, operationId: string, handler: ArmHandler, resource?: ResourceMap): Route => ({
  method,
  pattern: path.split('/').filter(Boolean),
  operationId,
  handler,
  ...(resource ? { resource } : {}),
});

/**
 * ARM's four calls on a resource type: `<Op>_List` on the collection, `_CreateOrUpdate`, `_Get` and
 * `_Delete` on one item. `item` names the capture; a child collection (a VNet's subnets) is listed
 * in its parent's region, a top-level one across the group.
 */
function crud(
  op: string,
  collection: string,
  h: { list: ArmHandler; put: ArmHandler; get: ArmHandler; remove: ArmHandler },
  resource: ResourceMap,
  item = 'name',
): Route[] {
  const one = `${collection}/{${item}}`;
  return [
    R('GET', collection, `${op}_List`, h.list, item === 'name' ? undefined : resource),
    R('PUT', one, `${op}_CreateOrUpdate`, h.put, resource),
    R('GET', one, `${op}_Get`, h.get, resource),
    R('DELETE', one, `${op}_Delete`, h.remove, resource),
  ];
}

const RG = 'resourcegroups/{rg}';
const COMPUTE = `${RG}/providers/microsoft.compute`;
const NETWORK = `${RG}/providers/microsoft.network`;
const IMAGES = 'providers/microsoft.compute/locations/{location}/publishers/{publisher}/artifacttypes/vmimage/offers';

export const ROUTES: Route[] = [
  R('GET', 'locations', 'Subscriptions_ListLocations', catalog.listLocations),
  R('GET', 'providers/{namespace}', 'Providers_Get', catalog.getProvider),
  R('GET', 'providers/{namespace}/locations/{location}/operations/{op}', 'AsyncOperation_Get', catalog.operationStatus),
  R('GET', 'providers/microsoft.compute/locations/{location}/vmsizes', 'VirtualMachineSizes_List', catalog.listVmSizes),
  R('GET', 'providers/microsoft.compute/skus', 'ResourceSkus_List', listResourceSkus),
  R('GET', IMAGES, 'VirtualMachineImages_ListOffers', catalog.listOffers),
  R('GET', `${IMAGES}/{offer}/skus`, 'VirtualMachineImages_ListSkus', catalog.listSkus),
  R('GET', `${IMAGES}/{offer}/skus/{sku}/versions`, 'VirtualMachineImages_List', catalog.listImageVersions),
  R('GET', `${IMAGES}/{offer}/skus/{sku}/versions/{version}`, 'VirtualMachineImages_Get', catalog.getImageVersion),
  R('GET', 'providers/microsoft.compute/virtualmachines', 'VirtualMachines_ListAll', vms.listVms),
  R('GET', 'providers/microsoft.compute/disks', 'Disks_List', disks.listDisks),
  R('GET', 'providers/microsoft.network/virtualnetworks', 'VirtualNetworks_ListAll', net.lister('vnets')),
  R('GET', 'providers/microsoft.network/networksecuritygroups', 'NetworkSecurityGroups_ListAll', net.lister('nsgs')),
  R('GET', 'providers/microsoft.network/publicipaddresses', 'PublicIPAddresses_ListAll', net.lister('pips')),
  R('GET', 'providers/microsoft.network/networkinterfaces', 'NetworkInterfaces_ListAll', net.lister('nics')),
  R('GET', 'operationresults/{op}', 'ResourceGroups_OperationResult', groups.groupOperationResult),

  R('GET', 'resourcegroups', 'ResourceGroups_List', groups.listGroups),
  R('PUT', RG, 'ResourceGroups_CreateOrUpdate', groups.createOrUpdateGroup),
  R('GET', RG, 'ResourceGroups_Get', groups.getGroup),
  R('HEAD', RG, 'ResourceGroups_CheckExistence', groups.checkGroupExistence),
  R('DELETE', RG, 'ResourceGroups_Delete', groups.deleteGroup),
  R('GET', `${RG}/resources`, 'Resources_ListByResourceGroup', groups.listGroupResources),

  ...crud('VirtualNetworks', `${NETWORK}/virtualnetworks`, { list: net.lister('vnets'), put: net.putVnet, get: net.getVnet, remove: net.deleteVnet }, 'vnets'),
  ...crud('Subnets', `${NETWORK}/virtualnetworks/{name}/subnets`, { list: net.listSubnets, put: net.putSubnet, get: net.getSubnet, remove: net.deleteSubnet }, 'vnets', 'subnet'),
  ...crud('NetworkSecurityGroups', `${NETWORK}/networksecuritygroups`, { list: net.lister('nsgs'), put: net.putNsg, get: net.getNsg, remove: net.deleteNsg }, 'nsgs'),
  ...crud('SecurityRules', `${NETWORK}/networksecuritygroups/{name}/securityrules`, { list: net.listRules, put: net.putRule, get: net.getRule, remove: net.deleteRule }, 'nsgs', 'rule'),
  ...crud('PublicIPAddresses', `${NETWORK}/publicipaddresses`, { list: net.lister('pips'), put: net.putPip, get: net.getPip, remove: net.deletePip }, 'pips'),
  ...crud('NetworkInterfaces', `${NETWORK}/networkinterfaces`, { list: net.lister('nics'), put: net.putNic, get: net.getNic, remove: net.deleteNic }, 'nics'),

  R('GET', `${COMPUTE}/virtualmachines`, 'VirtualMachines_List', vms.listVms),
  R('PUT', `${COMPUTE}/virtualmachines/{name}`, 'VirtualMachines_CreateOrUpdate', (ctx) => vms.putVm(ctx), 'vms'),
  R('PATCH', `${COMPUTE}/virtualmachines/{name}`, 'VirtualMachines_Update', vms.updateVmTags, 'vms'),
  R('GET', `${COMPUTE}/virtualmachines/{name}`, 'VirtualMachines_Get', vms.getVm, 'vms'),
  R('DELETE', `${COMPUTE}/virtualmachines/{name}`, 'VirtualMachines_Delete', vms.deleteVm, 'vms'),
  R('GET', `${COMPUTE}/virtualmachines/{name}/instanceview`, 'VirtualMachines_InstanceView', vms.getInstanceView, 'vms'),
  R('POST', `${COMPUTE}/virtualmachines/{name}/poweroff`, 'VirtualMachines_PowerOff', vms.powerOff, 'vms'),
  R('POST', `${COMPUTE}/virtualmachines/{name}/deallocate`, 'VirtualMachines_Deallocate', vms.deallocate, 'vms'),
  R('POST', `${COMPUTE}/virtualmachines/{name}/start`, 'VirtualMachines_Start', vms.start, 'vms'),
  R('POST', `${COMPUTE}/virtualmachines/{name}/restart`, 'VirtualMachines_Restart', vms.restart, 'vms'),
  R('GET', `${COMPUTE}/disks`, 'Disks_ListByResourceGroup', disks.listDisks),
  R('GET', `${COMPUTE}/disks/{name}`, 'Disks_Get', disks.getDisk, 'disks'),
  R('DELETE', `${COMPUTE}/disks/{name}`, 'Disks_Delete', disks.deleteDisk, 'disks'),
];

/** The route for a request under /subscriptions/{sub}, with its captured (URL-decoded) parameters. */
export function match(method: string, segments: string[]): { route: Route; params: Record<string, string> } | { wrongMethod: true } | undefined {
  let wrongMethod = false;
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const pat = route.pattern[i] ?? '';
      const seg = segments[i] ?? '';
      if (pat.startsWith('{')) params[pat.slice(1, -1)] = decodeURIComponent(seg);
      else ok = pat === seg.toLowerCase();
    }
    if (!ok) continue;
    if (route.method !== method) {
      wrongMethod = true;
      continue;
    }
    return { route, params };
  }
  return wrongMethod ? { wrongMethod: true } : undefined;
}
