/**
 * RunInstances and DescribeInstances. A launch is idempotent by ClientToken (the same token
 * answers the same instance ids; the same token with other parameters is IdempotentParameterMismatch).
 * Instances get a private IP from their VSwitch, and a public IP when InternetMaxBandwidthOut > 0.
 */
import { createHash } from 'node:crypto';
import { findAlibabaImage, findAlibabaInstanceType, instanceTypesIn } from '../data/alibaba.js';
import { type EcsCtx, type EcsHandler, ecsId } from './context.js';
import { EcsError, invalid } from './errors.js';
import { instanceView, listed } from './instance-view.js';
import type { EcsInstance } from './model.js';
import { allocatePrivateIp, securityGroupOf, vSwitchOf } from './network.js';
import { page, pageNumbered } from './paging.js';
import { matchesTags } from './tags.js';
import type { WireObject } from './wire.js';
import { newBacking } from '../vm/backing.js';

/** Alibaba's public images log in as root with the key pair. */
const SSH_USER = 'root';

/** What makes two RunInstances calls "the same request" for a ClientToken. */
const FINGERPRINT_FIELDS = ['ImageId', 'InstanceType', 'VSwitchId', 'SecurityGroupId', 'Amount', 'KeyPairName', 'InternetMaxBandwidthOut'];

function fingerprint(ctx: EcsCtx): string {
  return createHash('sha256').update(FINGERPRINT_FIELDS.map((f) => `${f}=${ctx.params.get(f) ?? ''}`).join('&')).digest('hex');
}

/** Checks a RunInstances request and returns what a launch needs; used by DryRun too. */
export function validateRun(ctx: EcsCtx) {
  const p = ctx.params;
  const imageId = p.required('ImageId');
  const typeId = p.required('InstanceType');
  const image = findAlibabaImage(imageId);
  if (!image) throw new EcsError('InvalidImageId.NotFound', `The specified ImageId '${imageId}' does not exist.`);
  const type = findAlibabaInstanceType(typeId);
  if (!type) throw new EcsError('InvalidInstanceType.ValueNotSupported', `The specified InstanceType '${typeId}' does not exist or beyond the permitted range.`);
  const sw = vSwitchOf(ctx, p.required('VSwitchId'));
  const zone = p.get('ZoneId');
  if (zone && zone !== sw.zoneId) throw invalid('ZoneId', `the VSwitch ${sw.id} is in ${sw.zoneId}, not ${zone}`);
  if (!instanceTypesIn(sw.zoneId).includes(type)) {
    throw new EcsError('InvalidResourceType.NotSupported', `This resource type ${typeId} is not supported in ${sw.zoneId}; please try other resource types or zones.`, 403);
  }
  const groupIds = p.get('SecurityGroupId') ? [p.get('SecurityGroupId')!] : p.list('SecurityGroupIds');
  if (groupIds.length === 0) throw new EcsError('MissingParameter', 'The input parameter "SecurityGroupId" that is mandatory for processing this request is not supplied.');
  for (const g of groupIds) {
    if (securityGroupOf(ctx, g).vpcId !== sw.vpcId) throw new EcsError('InvalidSecurityGroup.NotInSameVpc', `The security group ${g} and the VSwitch ${sw.id} are not in the same VPC.`, 400);
  }
  const keyPairName = p.get('KeyPairName');
  if (keyPairName && !ctx.region.keyPairs.has(keyPairName)) throw new EcsError('InvalidKeyPairName.NotFound', `The specified KeyPairName '${keyPairName}' does not exist in our records.`);
  const amount = p.int('Amount', 1, 1, 100);
  const bandwidth = p.int('InternetMaxBandwidthOut', 0, 0, 100);
  const diskGiB = p.int('SystemDisk.Size', Math.max(40, image.sizeGiB), image.sizeGiB, 2048);
  const name = p.get('InstanceName');
  if (name !== undefined && !/^[A-Za-z\u4e00-\u9fa5][\w\u4e00-\u9fa5.:,()-]{1,127}$/.test(name)) throw new EcsError('InvalidInstanceName.Malformed');
  return { image, type, sw, groupIds, keyPairName, amount, bandwidth, diskGiB, name };
}

function runInstances(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const token = p.get('ClientToken');
  const print = fingerprint(ctx);
  if (token !== undefined) {
    if (token.length > 64 || /[^\x20-\x7e]/.test(token)) throw invalid('ClientToken', 'at most 64 ASCII characters');
    const earlier = ctx.region.clientTokens.get(token);
    if (earlier) {
      if (earlier.fingerprint !== print) throw new EcsError('IdempotentParameterMismatch');
      return { InstanceIdSets: { InstanceIdSet: earlier.ids } };
    }
  }
  const v = validateRun(ctx);
  const now = ctx.env.now();
  const ids: string[] = [];
  for (let n = 0; n < v.amount; n++) {
    const id = ecsId('i', ctx.region.id);
    const suffix = v.amount > 1 && p.bool('UniqueSuffix') ? String(n + 1).padStart(3, '0') : '';
    const keyPair = v.keyPairName ? ctx.region.keyPairs.get(v.keyPairName) : undefined;
    const inst: EcsInstance = {
      ...newBacking(ctx.env.lifecycle, { id, sshUser: SSH_USER, assignPublicIp: v.bandwidth > 0, authorizedKey: keyPair?.publicKey, nodeRuntime: v.image.nodeRuntime }),
      regionId: ctx.region.id,
      zoneId: v.sw.zoneId,
      name: `${v.name ?? id}${suffix}`,
      hostName: `${p.get('HostName') ?? `iZ${id.slice(2)}Z`}${suffix}`,
      description: p.get('Description') ?? '',
      instanceType: v.type.id,
      imageId: v.image.id,
      vpcId: v.sw.vpcId,
      vSwitchId: v.sw.id,
      securityGroupIds: v.groupIds,
      privateIp: allocatePrivateIp(v.sw),
      internetMaxBandwidthOut: v.bandwidth,
      ...(v.keyPairName ? { keyPairName: v.keyPairName } : {}),
      tags: p.tags(),
      createdAt: now,
      startedAt: now,
      everRan: false,
      stoppedMode: 'Not-applicable',
      systemDisk: { category: p.get('SystemDisk.Category') ?? 'cloud_essd', sizeGiB: v.diskGiB },
    };
    ctx.region.instances.set(id, inst);
    ctx.env.lifecycle.launch(ctx.region, inst);
    ids.push(id);
  }
  if (token !== undefined) ctx.region.clientTokens.set(token, { action: 'RunInstances', ids, fingerprint: print });
  ctx.env.changed();
  return { InstanceIdSets: { InstanceIdSet: ids }, TradePrice: 0 };
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function describeInstances(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const ids = p.jsonList('InstanceIds');
  const name = p.get('InstanceName');
  const nameRe = name ? wildcard(name) : undefined;
  const filters: Array<[string, (i: EcsInstance) => string]> = [
    ['VpcId', (i) => i.vpcId],
    ['VSwitchId', (i) => i.vSwitchId],
    ['ZoneId', (i) => i.zoneId],
    ['InstanceType', (i) => i.instanceType],
    ['ImageId', (i) => i.imageId],
    ['KeyPairName', (i) => i.keyPairName ?? ''],
    ['Status', (i) => instanceView(i).Status as string],
  ];
  const group = p.get('SecurityGroupId');
  const tags = p.tags();
  const found = [...ctx.region.instances.values()].filter(
    (i) =>
      listed(i) &&
      (!ids || ids.includes(i.id)) &&
      (!nameRe || nameRe.test(i.name)) &&
      (!group || i.securityGroupIds.includes(group)) &&
      filters.every(([f, get]) => p.get(f) === undefined || get(i) === p.get(f)) &&
      matchesTags(i.tags, tags),
  );
  if (p.get('NextToken') !== undefined || p.get('MaxResults') !== undefined) {
    const { items, nextToken } = page(found, p, { maxResults: 'MaxResults', max: 100 });
    return { NextToken: nextToken ?? '', Instances: { Instance: items.map(instanceView) } };
  }
  const { items, fields } = pageNumbered(found, p, 10, 100);
  return { ...fields, Instances: { Instance: items.map(instanceView) } };
}

export const RUN_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
};
