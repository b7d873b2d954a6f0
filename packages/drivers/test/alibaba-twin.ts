/** Cloud-Twin set up for the Alibaba driver's tests: the twin's AccessKey and its ECS endpoint. */
import * as Ecs from '@alicloud/ecs20140526';
import EcsModule from '@alicloud/ecs20140526';
import * as OpenApi from '@alicloud/openapi-client';
import { TAG, type Connection, type CredentialMaterial, type Tags } from '@cloud-barista/core';
import { cjsDefault } from '../src/alibaba/client.js';
import type { TwinOptions } from '@cloud-barista/twin';
import { testConnectionOf } from './connection.js';
import { startTwinBed, type Twin, type TwinBed } from './twin-bed.js';

export type { Twin };

export const REGION = 'ap-northeast-2';
export const ZONE = 'ap-northeast-2-a';

export function alibabaConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'twin-alibaba', provider: 'alibaba', region: REGION, zone: ZONE, endpoint: twin.endpoints.alibaba, sshPort: twin.sshPort, ...over });
}

export function credentialFor(twin: Twin): CredentialMaterial {
  return { kind: 'alibaba-access-key', ...twin.credentials.alibaba };
}

export async function bootTwin(sshPort: number, over: Partial<TwinOptions> = {}): Promise<TwinBed> {
  return startTwinBed('cb-drivers-alibaba-', { bootDelayMs: 200, stopDelayMs: 100, sshPort, ...over });
}

/** A test's own ECS client, as a user would build one against the twin. */
export function ecsClient(twin: Twin, secret = twin.credentials.alibaba.accessKeySecret) {
  const u = new URL(twin.endpoints.alibaba);
  const EcsClient = cjsDefault(EcsModule);
  return new EcsClient(new OpenApi.Config({ accessKeyId: twin.credentials.alibaba.accessKeyId, accessKeySecret: secret, endpoint: u.host, protocol: 'http', regionId: REGION }));
}

/** VPCs named after the run, and security groups and key pairs carrying `tags`, seen through ECS. */
export async function leftovers(twin: Twin, tags: Tags): Promise<string[]> {
  const ecs = ecsClient(twin);
  const tag = Object.entries(tags).map(([key, value]) => ({ key, value }));
  const vpcs = await ecs.describeVpcs(new Ecs.DescribeVpcsRequest({ regionId: REGION, pageSize: 50 }));
  const groups = await ecs.describeSecurityGroups(new Ecs.DescribeSecurityGroupsRequest({ regionId: REGION, tag: tag.map((t) => new Ecs.DescribeSecurityGroupsRequestTag(t)) }));
  const keys = await ecs.describeKeyPairs(new Ecs.DescribeKeyPairsRequest({ regionId: REGION, tag: tag.map((t) => new Ecs.DescribeKeyPairsRequestTag(t)) }));
  const ns = tags[TAG.ns];
  return [
    ...(vpcs.body?.vpcs?.vpc ?? []).filter((v) => ns !== undefined && v.vpcName === `cb-${ns}`).map((v) => `vpc/${v.vpcId ?? ''}`),
    ...(groups.body?.securityGroups?.securityGroup ?? []).map((g) => `security-group/${g.securityGroupId ?? ''}`),
    ...(keys.body?.keyPairs?.keyPair ?? []).map((k) => `key-pair/${k.keyPairName ?? ''}`),
  ];
}
