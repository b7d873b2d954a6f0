/**
 * VPC networks (global) and subnetworks (regional). Deletes refuse while something still uses the
 * resource, as GCE does.
 */
import { intToIp, overlaps, parseCidr, size } from '../ec2/cidr.js';
import { GCP_REGIONS } from '../data/gcp.js';
import { aggregatedResponse, listResponse, regionNamed } from './catalog.js';
import type { GceCtx, GceEnv, GceHandler } from './context.js';
import { alreadyExists, GceError, inUse, invalidField, notFound, requiredField } from './errors.js';
import { gceTime, parseRef, resourceHead, type Links } from './links.js';
import { firewallPath, instancePath, networkPath, subnetworkPath, type GceNetwork, type GceProject, type GceSubnetwork } from './model.js';
import { fingerprintOf } from './fingerprint.js';
import { checkName, optString } from './fields.js';

/** The ranges GCE gives an auto-mode network's subnetworks (10.128.0.0/9, one /20 per region). */
const AUTO_RANGES: Readonly<Record<string, string>> = {
  'us-central1': '10.128.0.0/20',
  'europe-west1': '10.132.0.0/20',
  'us-west1': '10.138.0.0/20',
  'asia-east1': '10.140.0.0/20',
  'us-east1': '10.142.0.0/20',
  'asia-northeast1': '10.146.0.0/20',
  'asia-southeast1': '10.148.0.0/20',
  'us-east4': '10.150.0.0/20',
  'australia-southeast1': '10.152.0.0/20',
  'europe-west2': '10.154.0.0/20',
  'europe-west3': '10.156.0.0/20',
  'southamerica-east1': '10.158.0.0/20',
  'asia-south1': '10.160.0.0/20',
  'northamerica-northeast1': '10.162.0.0/20',
  'europe-west4': '10.164.0.0/20',
  'asia-east2': '10.170.0.0/20',
  'asia-northeast2': '10.174.0.0/20',
  'asia-northeast3': '10.178.0.0/20',
};

// --- networks ---------------------------------------------------------------------------------

function subnetsOf(p: GceProject, network: string): GceSubnetwork[] {
  return [...p.subnetworks.values()].filter((s) => s.network === network);
}

export function renderNetwork(links: Links, p: GceProject, n: GceNetwork): Record<string, unknown> {
  return {
    ...resourceHead('network', n),
    selfLink: links.link(networkPath(p.id, n.name)),
    selfLinkWithId: links.link(`projects/${p.id}/global/networks/${n.id}`),
    autoCreateSubnetworks: n.autoCreateSubnetworks,
    subnetworks: subnetsOf(p, n.name).map((s) => links.link(subnetworkPath(p.id, s.region, s.name))),
    routingConfig: { routingMode: n.routingMode },
    mtu: n.mtu,
    networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
  };
}

function addSubnet(env: GceEnv, p: GceProject, s: Omit<GceSubnetwork, 'id' | 'createdAt' | 'fingerprint' | 'nextIpOffset'>): GceSubnetwork {
  const subnet: GceSubnetwork = {
    ...s,
    id: env.nextId(),
    createdAt: env.now(),
    fingerprint: fingerprintOf(`${s.region}/${s.name}/${env.now()}`),
    nextIpOffset: 2,
  };
  p.subnetworks.set(`${s.region}/${s.name}`, subnet);
  return subnet;
}

/** Creates a network (and, in auto mode, its per-region subnetworks). */
export function createNetwork(env: GceEnv, p: GceProject, n: Omit<GceNetwork, 'id' | 'createdAt'>): GceNetwork {
  const net: GceNetwork = { ...n, id: env.nextId(), createdAt: env.now() };
  p.networks.set(net.name, net);
  if (net.autoCreateSubnetworks) {
    for (const r of GCP_REGIONS) {
      const range = AUTO_RANGES[r.name];
      if (range) addSubnet(env, p, { name: net.name, region: r.name, network: net.name, ipCidrRange: range, privateIpGoogleAccess: false });
    }
  }
  return net;
}

const networksInsert: GceHandler = (ctx) => {
  const b = ctx.body;
  const name = checkName(b.name);
  if (ctx.project.networks.has(name)) throw alreadyExists(networkPath(ctx.project.id, name));
  if (b.IPv4Range !== undefined) throw invalidField('resource.IPv4Range', b.IPv4Range, 'Legacy networks are not supported; create a VPC network.');
  const routingMode = (b.routingConfig as { routingMode?: unknown } | undefined)?.routingMode ?? 'REGIONAL';
  if (routingMode !== 'REGIONAL' && routingMode !== 'GLOBAL') throw invalidField('resource.routingConfig.routingMode', routingMode, 'Must be REGIONAL or GLOBAL.');
  const mtu = b.mtu === undefined ? 1460 : Number(b.mtu);
  if (!Number.isInteger(mtu) || mtu < 1300 || mtu > 8896) throw invalidField('resource.mtu', b.mtu, 'Must be between 1300 and 8896.');
  const description = optString(b.description, 'resource.description');
  const net = createNetwork(ctx.env, ctx.project, {
    name,
    ...(description ? { description } : {}),
    autoCreateSubnetworks: b.autoCreateSubnetworks === true,
    routingMode,
    mtu,
  });
  return { target: networkPath(ctx.project.id, name), targetId: net.id };
};

export function findNetwork(ctx: GceCtx, name: string): GceNetwork {
  const n = ctx.project.networks.get(name);
  if (!n) throw notFound(networkPath(ctx.project.id, name));
  return n;
}

const networksGet: GceHandler = (ctx) => renderNetwork(ctx.links, ctx.project, findNetwork(ctx, ctx.params.network ?? ''));

const networksList: GceHandler = (ctx) =>
  listResponse(ctx, 'compute#networkList', `projects/${ctx.project.id}/global/networks`, [...ctx.project.networks.values()].map((n) => renderNetwork(ctx.links, ctx.project, n)));

const networksDelete: GceHandler = (ctx) => {
  const p = ctx.project;
  const n = findNetwork(ctx, ctx.params.network ?? '');
  const path = networkPath(p.id, n.name);
  const fw = [...p.firewalls.values()].find((f) => f.network === n.name);
  if (fw) throw inUse('network', path, firewallPath(p.id, fw.name));
  const inst = [...p.instances.values()].find((i) => i.network === n.name);
  if (inst) throw inUse('network', path, instancePath(p.id, inst));
  const subnets = subnetsOf(p, n.name);
  // An auto-mode network's own subnetworks go with it; custom ones must be deleted first.
  const custom = subnets.find((s) => !(n.autoCreateSubnetworks && s.name === n.name));
  if (custom) throw inUse('network', path, subnetworkPath(p.id, custom.region, custom.name));
  for (const s of subnets) p.subnetworks.delete(`${s.region}/${s.name}`);
  p.networks.delete(n.name);
  return { target: path, targetId: n.id };
};

// --- subnetworks ------------------------------------------------------------------------------

export function renderSubnetwork(links: Links, p: GceProject, s: GceSubnetwork): Record<string, unknown> {
  const cidr = parseCidr(s.ipCidrRange);
  return {
    kind: 'compute#subnetwork',
    id: s.id,
    creationTimestamp: gceTime(s.createdAt),
    name: s.name,
    network: links.link(networkPath(p.id, s.network)),
    ipCidrRange: s.ipCidrRange,
    gatewayAddress: cidr ? intToIp(cidr.base + 1) : '',
    region: links.region(p.id, s.region),
    selfLink: links.link(subnetworkPath(p.id, s.region, s.name)),
    privateIpGoogleAccess: s.privateIpGoogleAccess,
    fingerprint: s.fingerprint,
    purpose: 'PRIVATE',
    stackType: 'IPV4_ONLY',
  };
}

export function findSubnetwork(ctx: GceCtx, region: string, name: string): GceSubnetwork {
  const s = ctx.project.subnetworks.get(`${region}/${name}`);
  if (!s) throw notFound(subnetworkPath(ctx.project.id, region, name));
  return s;
}

const subnetworksInsert: GceHandler = (ctx) => {
  const p = ctx.project;
  const region = regionNamed(ctx.params.region ?? '').name;
  const b = ctx.body;
  const name = checkName(b.name);
  if (p.subnetworks.has(`${region}/${name}`)) throw alreadyExists(subnetworkPath(p.id, region, name));
  if (typeof b.network !== 'string' || !b.network) throw requiredField('resource.network');
  const ref = parseRef(b.network, 'networks');
  if (!ref || (ref.project && ref.project !== p.id)) throw invalidField('resource.network', b.network, 'Must be a URL to a valid network.');
  const network = findNetwork(ctx, ref.name);
  if (typeof b.ipCidrRange !== 'string' || !b.ipCidrRange) throw requiredField('resource.ipCidrRange');
  const cidr = parseCidr(b.ipCidrRange);
  if (!cidr || cidr.prefix > 29 || cidr.prefix < 8) {
    throw new GceError('invalid', `Invalid IPCidrRange: ${b.ipCidrRange} is not a valid private IPv4 range of size /8 to /29.`);
  }
  for (const other of subnetsOf(p, network.name)) {
    const o = parseCidr(other.ipCidrRange);
    if (o && overlaps(o, cidr)) {
      throw new GceError(
        'invalid',
        `Invalid IPCidrRange: ${b.ipCidrRange} conflicts with existing subnetwork '${other.name}' in region '${other.region}'.`,
      );
    }
  }
  const description = optString(b.description, 'resource.description');
  const s = addSubnet(ctx.env, p, {
    name,
    region,
    network: network.name,
    ipCidrRange: b.ipCidrRange,
    privateIpGoogleAccess: b.privateIpGoogleAccess === true,
    ...(description ? { description } : {}),
  });
  return { target: subnetworkPath(p.id, region, name), targetId: s.id };
};

const subnetworksGet: GceHandler = (ctx) =>
  renderSubnetwork(ctx.links, ctx.project, findSubnetwork(ctx, regionNamed(ctx.params.region ?? '').name, ctx.params.subnetwork ?? ''));

const subnetworksList: GceHandler = (ctx) => {
  const region = regionNamed(ctx.params.region ?? '').name;
  return listResponse(
    ctx,
    'compute#subnetworkList',
    `projects/${ctx.project.id}/regions/${region}/subnetworks`,
    [...ctx.project.subnetworks.values()].filter((s) => s.region === region).map((s) => renderSubnetwork(ctx.links, ctx.project, s)),
  );
};

const subnetworksAggregated: GceHandler = (ctx) =>
  aggregatedResponse(
    ctx,
    'subnetworks',
    GCP_REGIONS.map((r) => `regions/${r.name}`),
    (scope) =>
      [...ctx.project.subnetworks.values()]
        .filter((s) => `regions/${s.region}` === scope)
        .map((s) => renderSubnetwork(ctx.links, ctx.project, s)),
  );

const subnetworksDelete: GceHandler = (ctx) => {
  const p = ctx.project;
  const region = regionNamed(ctx.params.region ?? '').name;
  const s = findSubnetwork(ctx, region, ctx.params.subnetwork ?? '');
  const path = subnetworkPath(p.id, region, s.name);
  const net = p.networks.get(s.network);
  if (net?.autoCreateSubnetworks && s.name === net.name) {
    throw new GceError('invalid', `Invalid resource usage: 'Cannot delete auto subnetwork from an auto subnet mode network.'.`);
  }
  const inst = [...p.instances.values()].find((i) => i.region === region && i.subnetwork === s.name);
  if (inst) throw inUse('subnetwork', path, instancePath(p.id, inst));
  p.subnetworks.delete(`${region}/${s.name}`);
  return { target: path, targetId: s.id };
};

/** The next free private address in a subnetwork (gateway .1 is taken), or a 400 when full. */
export function allocateIp(p: GceProject, s: GceSubnetwork): string {
  const cidr = parseCidr(s.ipCidrRange);
  if (!cidr) throw new GceError('invalid', `Subnetwork '${s.name}' has an invalid range.`);
  const used = new Set([...p.instances.values()].filter((i) => i.region === s.region && i.subnetwork === s.name).map((i) => i.networkIP));
  // GCE reserves the network, gateway, second-to-last and broadcast addresses.
  const usable = size(cidr) - 4;
  for (let k = 0; k < usable; k++) {
    const offset = 2 + ((s.nextIpOffset - 2 + k) % usable);
    const ip = intToIp(cidr.base + offset);
    if (!used.has(ip)) {
      s.nextIpOffset = offset + 1;
      return ip;
    }
  }
  throw new GceError('invalid', `IP space of '${subnetworkPath(p.id, s.region, s.name)}' is exhausted.`);
}

export const NETWORK_HANDLERS = {
  networksInsert,
  networksGet,
  networksList,
  networksDelete,
  subnetworksInsert,
  subnetworksGet,
  subnetworksList,
  subnetworksAggregated,
  subnetworksDelete,
};
