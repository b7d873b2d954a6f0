/** RunInstances and DescribeInstances. */
import { findInstanceType } from '../data/aws.js';
import { findImage } from './catalog.js';
import { containsIp, intToIp, ipToInt, parseCidr, size } from './cidr.js';
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { checkIds, macAddress, newId } from './ids.js';
import { renderInstance, renderReservation, privateDnsName } from './instance-render.js';
import { findKeyPairByName } from './keys.js';
import { getMany, getSecurityGroup, getSubnet } from './lookup.js';
import { ACCOUNT_ID, STATE_CODES, type Instance, type RegionData, type Subnet, type Volume } from './model.js';
import { paginate } from './paging.js';
import { type Params, tagsFromSpecs } from './query.js';
import { el, items, type XmlChild } from './xml.js';

const CLIENT_TOKEN_TTL_MS = 24 * 3600_000;
const RUN_TAG_TYPES = ['instance', 'volume', 'network-interface'];

/** Terminated instances stay listed for a while (about an hour on AWS), then disappear. */
export function purgeTerminated(ctx: Ctx): void {
  const now = ctx.env.now();
  let changed = false;
  for (const [id, inst] of ctx.region.instances) {
    if (inst.state === 'terminated' && (inst.terminatedAt ?? now) + ctx.env.terminatedRetentionMs <= now) {
      ctx.region.instances.delete(id);
      changed = true;
    }
  }
  for (const [token, rec] of ctx.region.clientTokens) {
    if (rec.createdAt + CLIENT_TOKEN_TTL_MS <= now) {
      ctx.region.clientTokens.delete(token);
      changed = true;
    }
  }
  if (changed) ctx.env.changed();
}

interface Placement {
  subnet: Subnet;
  groupIds: string[];
  assignPublicIp: boolean;
  privateIp?: string;
}

function defaultSubnet(ctx: Ctx): Subnet {
  const vpcId = ctx.region.defaultVpcId;
  if (!vpcId) throw new Ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  const az = ctx.params.sub('Placement').str('AvailabilityZone');
  const subnets = [...ctx.region.subnets.values()].filter((s) => s.vpcId === vpcId && s.defaultForAz);
  const s = az ? subnets.find((x) => x.az === az) : subnets[0];
  if (!s) {
    if (az) throw new Ec2Error('InvalidParameterValue', `Invalid availability zone: [${az}]`);
    throw new Ec2Error('MissingInput', 'No subnets found for the default VPC. Please specify a subnet.');
  }
  return s;
}

/** Subnet, security groups and public-IP choice, from either the top level or NetworkInterface.N. */
function placement(ctx: Ctx): Placement {
  const p = ctx.params;
  const nis = p.structs('NetworkInterface');
  let subnetId = p.str('SubnetId');
  let groupIds = p.list('SecurityGroupId');
  const groupNames = p.list('SecurityGroup');
  let assign: boolean | undefined;
  let privateIp = p.str('PrivateIpAddress');
  if (nis.length > 0) {
    if (subnetId) {
      throw err.combination('Network interfaces and an instance-level subnet ID may not be specified on the same request');
    }
    if (groupIds.length || groupNames.length) {
      throw err.combination('Network interfaces and an instance-level security groups may not be specified on the same request');
    }
    const primary: Params = nis.find((n) => n.int('DeviceIndex') === 0) ?? (nis[0] as Params);
    subnetId = primary.str('SubnetId');
    groupIds = primary.list('SecurityGroupId');
    assign = primary.bool('AssociatePublicIpAddress');
    privateIp = primary.str('PrivateIpAddress') ?? privateIp;
    if (assign !== undefined && nis.length > 1) {
      throw err.combination('The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.');
    }
  }
  const subnet = subnetId ? getSubnet(ctx.region, subnetId) : defaultSubnet(ctx);
  for (const name of groupNames) {
    const sg = [...ctx.region.securityGroups.values()].find((g) => g.vpcId === subnet.vpcId && g.name === name);
    if (!sg) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${subnet.vpcId}'`);
    groupIds.push(sg.id);
  }
  for (const id of groupIds) {
    const sg = getSecurityGroup(ctx.region, id);
    if (sg.vpcId !== subnet.vpcId) {
      throw new Ec2Error('InvalidParameter', `Security group ${sg.id} and subnet ${subnet.id} belong to different networks.`);
    }
  }
  if (groupIds.length === 0) {
    const def = [...ctx.region.securityGroups.values()].find((g) => g.vpcId === subnet.vpcId && g.name === 'default');
    if (def) groupIds.push(def.id);
  }
  return { subnet, groupIds: [...new Set(groupIds)], assignPublicIp: assign ?? subnet.mapPublicIpOnLaunch, privateIp };
}

/** Free private addresses of the subnet (AWS reserves the first four and the last). */
function allocatePrivateIps(region: RegionData, subnet: Subnet, count: number, requested?: string): string[] {
  const c = parseCidr(subnet.cidr);
  if (!c) return [];
  const used = new Set<string>();
  for (const i of region.instances.values()) if (i.subnetId === subnet.id && i.state !== 'terminated') used.add(i.privateIp);
  if (requested !== undefined) {
    const n = ipToInt(requested);
    if (n === undefined || !containsIp(c, n) || n - c.base < 4 || n - c.base > size(c) - 2) {
      throw new Ec2Error('InvalidParameterValue', `Address ${requested} does not fall within the subnet's address range`);
    }
    if (used.has(requested)) throw new Ec2Error('InvalidIPAddress.InUse', `Address ${requested} is in use.`);
    return count === 1 ? [requested] : [];
  }
  const first = 4;
  const last = size(c) - 2;
  const span = last - first + 1;
  const out: string[] = [];
  let offset = Math.min(Math.max(subnet.nextIpOffset, first), last);
  for (let tried = 0; tried < span && out.length < count; tried++) {
    const ip = intToIp(c.base + offset);
    if (!used.has(ip)) {
      out.push(ip);
      used.add(ip);
    }
    offset = offset >= last ? first : offset + 1;
  }
  subnet.nextIpOffset = offset;
  return out;
}

function rootVolumeSize(ctx: Ctx, rootDevice: string, imageSize: number, snapshotId: string): { size: number; type: string; deleteOnTermination: boolean } {
  const mapping = ctx.params.structs('BlockDeviceMapping').find((m) => m.str('DeviceName') === rootDevice);
  const ebs = mapping?.sub('Ebs');
  const sizeGiB = ebs?.int('VolumeSize') ?? imageSize;
  if (sizeGiB < imageSize) {
    throw new Ec2Error(
      'InvalidBlockDeviceMapping',
      `Volume of size ${sizeGiB}GB is smaller than snapshot '${snapshotId}', expect size >= ${imageSize}GB`,
    );
  }
  if (sizeGiB > 16384) throw err.invalidValue('VolumeSize', String(sizeGiB), 'Maximum volume size is 16384 GiB.');
  return { size: sizeGiB, type: ebs?.str('VolumeType') ?? 'gp2', deleteOnTermination: ebs?.bool('DeleteOnTermination') ?? true };
}

export function runInstances(ctx: Ctx): XmlChild[] {
  const p = ctx.params;
  const imageId = p.req('ImageId');
  const minCount = p.int('MinCount');
  const maxCount = p.int('MaxCount');
  if (minCount === undefined) throw err.missing('MinCount');
  if (maxCount === undefined) throw err.missing('MaxCount');
  if (minCount < 1) throw err.invalidValue('MinCount', String(minCount), 'Must be greater than zero.');
  if (maxCount < minCount) throw err.invalidValue('MinCount', String(minCount), 'Must be less than or equal to MaxCount.');

  purgeTerminated(ctx);
  const token = p.str('ClientToken');
  if (token !== undefined && token.length > 64) throw err.invalidValue('ClientToken', token, 'Length exceeds 64.');
  const fingerprint = p.canonical(['Action', 'Version', 'ClientToken', 'DryRun']);
  if (token) {
    const rec = ctx.region.clientTokens.get(token);
    if (rec && rec.fingerprint !== fingerprint) {
      throw new Ec2Error(
        'IdempotentParameterMismatch',
        'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).',
      );
    }
    if (rec) {
      const insts = rec.instanceIds.map((id) => ctx.region.instances.get(id)).filter((i): i is Instance => !!i);
      return renderReservation(ctx.region, rec.reservationId, insts);
    }
  }

  // EC2's default (m1.small) is a previous-generation type the twin does not list.
  const instanceType = p.str('InstanceType') ?? 't3.micro';
  const type = findInstanceType(instanceType);
  if (!type) throw err.invalidValue('InstanceType', instanceType);
  checkIds('ami', 'InvalidAMIID.Malformed', [imageId]);
  const image = findImage(ctx.region.name, imageId);
  if (!image) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  if (image.architecture !== type.architecture) {
    throw new Ec2Error(
      'InvalidParameterValue',
      `The architecture '${type.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
  }
  const keyName = p.str('KeyName');
  const keyPair = keyName !== undefined ? findKeyPairByName(ctx, keyName) : undefined;
  if (keyName !== undefined && !keyPair) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
  const place = placement(ctx);
  if (place.privateIp !== undefined && maxCount > 1) {
    throw err.combination('Cannot specify a private IP address when launching more than one instance.');
  }
  const root = rootVolumeSize(ctx, image.rootDeviceName, image.rootVolumeGiB, image.snapshotId);
  const instanceTags = tagsFromSpecs(p, RUN_TAG_TYPES, 'instance');
  const volumeTags = tagsFromSpecs(p, RUN_TAG_TYPES, 'volume');
  const eniTags = tagsFromSpecs(p, RUN_TAG_TYPES, 'network-interface');

  const ips = allocatePrivateIps(ctx.region, place.subnet, maxCount, place.privateIp);
  if (ips.length < minCount) {
    throw new Ec2Error(
      'InsufficientFreeAddressesInSubnet',
      `There are not enough free addresses in subnet '${place.subnet.id}' to satisfy the requested number of instances.`,
    );
  }

  const now = ctx.env.now();
  const reservationId = newId('r');
  const launched: Instance[] = ips.map((privateIp, launchIndex) => {
    const volume: Volume = {
      id: newId('vol'),
      deviceName: image.rootDeviceName,
      sizeGiB: root.size,
      volumeType: root.type,
      deleteOnTermination: root.deleteOnTermination,
      attachTime: now,
      tags: volumeTags.map((t) => ({ ...t })),
    };
    return {
      id: newId('i'),
      seq: ctx.env.nextSeq(),
      tags: instanceTags.map((t) => ({ ...t })),
      reservationId,
      imageId,
      instanceType,
      architecture: type.architecture,
      keyName: keyPair?.name,
      authorizedKey: keyPair?.publicKey,
      sshUser: image.sshUser,
      ...(image.nodeRuntime ? { nodeRuntime: image.nodeRuntime } : {}),
      hostKey: ctx.env.lifecycle.hostKey(),
      launchIndex,
      launchTime: now,
      az: place.subnet.az,
      subnetId: place.subnet.id,
      vpcId: place.subnet.vpcId,
      privateIp,
      assignPublicIp: place.assignPublicIp,
      groupIds: place.groupIds,
      clientToken: token,
      state: 'pending',
      stateTransitionReason: '',
      eni: { id: newId('eni'), attachmentId: newId('eni-attach'), macAddress: macAddress(), attachTime: now, tags: eniTags.map((t) => ({ ...t })) },
      volumes: [volume],
    };
  });
  for (const inst of launched) ctx.region.instances.set(inst.id, inst);
  if (token) {
    ctx.region.clientTokens.set(token, { fingerprint, reservationId, instanceIds: launched.map((i) => i.id), createdAt: now });
  }
  for (const inst of launched) ctx.env.lifecycle.launch(ctx.region, inst);
  ctx.env.changed();
  return renderReservation(ctx.region, reservationId, launched);
}

/** Instances the caller can see, in launch order. */
export function visibleInstances(ctx: Ctx): Instance[] {
  purgeTerminated(ctx);
  return [...ctx.region.instances.values()];
}

export function instancesById(ctx: Ctx, ids: readonly string[]): Instance[] {
  purgeTerminated(ctx);
  return getMany(ctx.region.instances, ids, 'i', 'InvalidInstanceID.Malformed', 'InvalidInstanceID.NotFound', 'instance');
}

export function describeInstances(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('InstanceId');
  const maxResults = ctx.params.int('MaxResults');
  if (ids.length > 0 && maxResults !== undefined) {
    throw err.combination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const base = ids.length ? instancesById(ctx, ids) : visibleInstances(ctx);
  const region = ctx.region;
  const sgNames = (i: Instance) => i.groupIds.map((g) => region.securityGroups.get(g)?.name);
  const filtered = applyFilters(base, ctx.params.filters(), {
    'instance-id': (i) => i.id,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => STATE_CODES[i.state],
    'instance-type': (i) => i.instanceType,
    'image-id': (i) => i.imageId,
    'key-name': (i) => i.keyName,
    'vpc-id': (i) => (i.state === 'terminated' ? undefined : i.vpcId),
    'subnet-id': (i) => (i.state === 'terminated' ? undefined : i.subnetId),
    'availability-zone': (i) => i.az,
    'private-ip-address': (i) => (i.state === 'terminated' ? undefined : i.privateIp),
    'private-dns-name': (i) => (i.state === 'terminated' ? undefined : privateDnsName(region.name, i.privateIp)),
    'ip-address': (i) => i.publicIp,
    'network-interface.addresses.association.public-ip': (i) => i.publicIp,
    'reservation-id': (i) => i.reservationId,
    'client-token': (i) => i.clientToken,
    'launch-index': (i) => i.launchIndex,
    architecture: (i) => i.architecture,
    'instance.group-id': (i) => i.groupIds,
    'instance.group-name': sgNames,
    'group-id': (i) => i.groupIds,
    'group-name': sgNames,
    'network-interface.network-interface-id': (i) => i.eni.id,
    'block-device-mapping.volume-id': (i) => i.volumes.map((v) => v.id),
    'owner-id': () => ACCOUNT_ID,
    'root-device-type': () => 'ebs',
    'launch-time': (i) => new Date(i.launchTime).toISOString(),
  });
  const page = paginate(filtered, maxResults, ctx.params.str('NextToken'), { min: 5, max: 1000 }, (i) => i.seq);
  const reservations = new Map<string, Instance[]>();
  for (const i of page.items) {
    const r = reservations.get(i.reservationId);
    if (r) r.push(i);
    else reservations.set(i.reservationId, [i]);
  }
  return [
    items('reservationSet', [...reservations.entries()], ([rid, insts]) => renderReservation(region, rid, insts)),
    el('nextToken', page.nextToken),
  ];
}

export { renderInstance };
