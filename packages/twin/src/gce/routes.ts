/**
 * The GCE REST routes the twin serves, under `/compute/v1/projects/{project}/`. Each route names
 * its API method (`instances.insert`: what fault rules match on); routes that start an operation
 * say its type and scope, and their handler returns the operation's target.
 */
import { matchPath, type CaptureSyntax, type PathMatch, type PathRoute } from '../http/path-routes.js';
import { CATALOG_HANDLERS as C } from './catalog.js';
import type { GceHandler } from './context.js';
import { DISK_HANDLERS as D } from './disks.js';
import { INSTANCE_HANDLERS as I } from './instances.js';
import { NETWORK_HANDLERS as N } from './network.js';
import { OPERATION_HANDLERS as O } from './operations.js';

export interface GceRoute extends PathRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path segments after `projects/{project}`; `:name` captures one segment. */
  pattern: string[];
  id: string;
  handler: GceHandler;
  /** Set when the call returns an Operation of this type. */
  operation?: string;
}

function route(method: GceRoute['method'], path: string, id: string, handler: GceHandler, operation?: string): GceRoute {
  return { method, pattern: path ? path.split('/') : [], id, handler, ...(operation ? { operation } : {}) };
}

const OPERATION_SCOPES: [string, string][] = [
  ['zones/:zone', 'zoneOperations'],
  ['regions/:region', 'regionOperations'],
  ['global', 'globalOperations'],
];

export const ROUTES: readonly GceRoute[] = [
  route('GET', '', 'projects.get', C.projectGet),
  route('GET', 'regions', 'regions.list', C.regionsList),
  route('GET', 'regions/:region', 'regions.get', C.regionsGet),
  route('GET', 'zones', 'zones.list', C.zonesList),
  route('GET', 'zones/:zone', 'zones.get', C.zonesGet),
  route('GET', 'zones/:zone/machineTypes', 'machineTypes.list', C.machineTypesList),
  route('GET', 'zones/:zone/machineTypes/:machineType', 'machineTypes.get', C.machineTypesGet),
  route('GET', 'aggregated/machineTypes', 'machineTypes.aggregatedList', C.machineTypesAggregated),
  route('GET', 'global/images', 'images.list', C.imagesList),
  route('GET', 'global/images/family/:family', 'images.getFromFamily', C.imagesFromFamily),
  route('GET', 'global/images/:image', 'images.get', C.imagesGet),

  route('GET', 'global/networks', 'networks.list', N.networksList),
  route('POST', 'global/networks', 'networks.insert', N.networksInsert, 'insert'),
  route('GET', 'global/networks/:network', 'networks.get', N.networksGet),
  route('DELETE', 'global/networks/:network', 'networks.delete', N.networksDelete, 'delete'),
  route('GET', 'regions/:region/subnetworks', 'subnetworks.list', N.subnetworksList),
  route('POST', 'regions/:region/subnetworks', 'subnetworks.insert', N.subnetworksInsert, 'insert'),
  route('GET', 'regions/:region/subnetworks/:subnetwork', 'subnetworks.get', N.subnetworksGet),
  route('DELETE', 'regions/:region/subnetworks/:subnetwork', 'subnetworks.delete', N.subnetworksDelete, 'delete'),
  route('GET', 'aggregated/subnetworks', 'subnetworks.aggregatedList', N.subnetworksAggregated),
  route('GET', 'global/firewalls', 'firewalls.list', N.firewallsList),
  route('POST', 'global/firewalls', 'firewalls.insert', N.firewallsInsert, 'insert'),
  route('GET', 'global/firewalls/:firewall', 'firewalls.get', N.firewallsGet),
  route('PATCH', 'global/firewalls/:firewall', 'firewalls.patch', N.firewallsPatch, 'patch'),
  route('DELETE', 'global/firewalls/:firewall', 'firewalls.delete', N.firewallsDelete, 'delete'),

  route('GET', 'zones/:zone/instances', 'instances.list', I.list),
  route('POST', 'zones/:zone/instances', 'instances.insert', I.insert, 'insert'),
  route('GET', 'zones/:zone/instances/:instance', 'instances.get', I.get),
  route('DELETE', 'zones/:zone/instances/:instance', 'instances.delete', I.remove, 'delete'),
  route('POST', 'zones/:zone/instances/:instance/stop', 'instances.stop', I.stop, 'stop'),
  route('POST', 'zones/:zone/instances/:instance/start', 'instances.start', I.start, 'start'),
  route('POST', 'zones/:zone/instances/:instance/reset', 'instances.reset', I.reset, 'reset'),
  route('POST', 'zones/:zone/instances/:instance/setLabels', 'instances.setLabels', I.setLabels, 'setLabels'),
  route('POST', 'zones/:zone/instances/:instance/setMetadata', 'instances.setMetadata', I.setMetadata, 'setMetadata'),
  route('POST', 'zones/:zone/instances/:instance/setTags', 'instances.setTags', I.setTags, 'setTags'),
  route('GET', 'aggregated/instances', 'instances.aggregatedList', I.aggregatedList),
  route('GET', 'zones/:zone/disks', 'disks.list', D.list),
  route('GET', 'zones/:zone/disks/:disk', 'disks.get', D.get),

  ...OPERATION_SCOPES.flatMap(([scope, api]) => [
    route('GET', `${scope}/operations`, `${api}.list`, O.list),
    route('GET', `${scope}/operations/:operation`, `${api}.get`, O.get),
    route('DELETE', `${scope}/operations/:operation`, `${api}.delete`, O.remove),
    route('POST', `${scope}/operations/:operation/wait`, `${api}.wait`, O.wait),
  ]),
];

/** `:name` captures one non-empty segment. */
const GCE_CAPTURES: CaptureSyntax = {
  name: (p) => (p.startsWith(':') ? p.slice(1) : undefined),
  value: (s) => (s === '' ? undefined : s),
};

/** The route for `segments` (after `projects/{project}`); `pathKnown` when another method has it. */
export function matchRoute(method: string, segments: string[]): PathMatch<GceRoute> {
  return matchPath(ROUTES, method, segments, GCE_CAPTURES);
}
