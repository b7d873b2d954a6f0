/**
 * VM lifecycle on ECS: RunInstances (idempotent by ClientToken, public IP by
 * InternetMaxBandwidthOut), DescribeInstances (paged), Stop (StoppedMode=StopCharging), Start,
 * Reboot, DeleteInstances, in batches of 100.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError, ProviderError } from '@cloud-barista/core/errors';
import { retryWhile } from '../common/retry.js';
import type { AlibabaContext } from './context.js';
import { hasCode, isNotFound } from './errors.js';
import { toVmStatus } from './states.js';
import { chunk, ecsTags, fromEcsTags } from './tags.js';

/** Instance ids per call (ECS's limit for InstanceIds and InstanceId.N). */
export const ID_BATCH = 100;
/** Outbound bandwidth (Mbit/s) that gives a VM its public IP, pay-by-traffic. */
export const PUBLIC_BANDWIDTH = 5;

type EcsInstance = Ecs.DescribeInstancesResponseBodyInstancesInstance;

/** ECS times are minutes in UTC (`2024-10-01T03:04Z`). */
function isoTime(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function toVmInfo(i: EcsInstance): VmInfo {
  const nativeState = i.status ?? 'unknown';
  const publicIp = i.publicIpAddress?.ipAddress?.[0] || i.eipAddress?.ipAddress || undefined;
  const privateIp = i.vpcAttributes?.privateIpAddress?.ipAddress?.[0] || i.innerIpAddress?.ipAddress?.[0] || undefined;
  const launchedAt = isoTime(i.creationTime);
  return {
    providerId: i.instanceId ?? '',
    status: toVmStatus(nativeState),
    nativeState,
    ...(publicIp ? { publicIp } : {}),
    ...(privateIp ? { privateIp } : {}),
    ...(i.instanceType ? { spec: i.instanceType } : {}),
    ...(i.imageId ? { image: i.imageId } : {}),
    ...(i.zoneId ? { zone: i.zoneId } : {}),
    tags: fromEcsTags(i.tags?.tag),
    ...(launchedAt ? { launchedAt } : {}),
  };
}

/** Per-instance answers of a SuccessFirst batch: failures other than "already there" are errors. */
function checkBatch(out: { body?: { instanceResponses?: { instanceResponse?: { instanceId?: string; code?: string; message?: string; currentStatus?: string }[] } } }, action: string, settled: string[]): void {
  for (const r of out.body?.instanceResponses?.instanceResponse ?? []) {
    if (r.code === '200' || r.code === 'InvalidInstanceId.NotFound') continue;
    if (r.code === 'IncorrectInstanceStatus' && settled.includes(r.currentStatus ?? '')) continue;
    throw new ProviderError({ provider: 'alibaba', code: r.code ?? 'UnknownError', message: `${action} ${r.instanceId ?? ''}: ${r.message ?? ''}`, errorClass: 'conflict', retryable: false });
  }
}

export function createVms(ctx: AlibabaContext): VmApi {
  const regionId = ctx.region;

  async function describeWhere(req: Partial<Ecs.DescribeInstancesRequest>): Promise<VmInfo[]> {
    const out: VmInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ctx.call((c) => c.describeInstances(new Ecs.DescribeInstancesRequest({ regionId, maxResults: 100, ...req, ...(nextToken ? { nextToken } : {}) })));
      for (const i of page.body?.instances?.instance ?? []) if (i.instanceId) out.push(toVmInfo(i));
      nextToken = page.body?.nextToken || undefined;
    } while (nextToken);
    return out;
  }

  async function describe(ids: string[]): Promise<VmInfo[]> {
    const parts = await Promise.all(chunk([...new Set(ids)], ID_BATCH).map((b) => describeWhere({ instanceIds: JSON.stringify(b) })));
    return parts.flat();
  }

  async function inBatches(ids: string[], act: (batch: string[]) => Promise<unknown>): Promise<void> {
    await Promise.all(chunk([...new Set(ids)], ID_BATCH).map(act));
  }

  return {
    async create(req: CreateVmRequest): Promise<VmInfo> {
      const out = await ctx.call((c) =>
        c.runInstances(
          new Ecs.RunInstancesRequest({
            regionId,
            imageId: req.imageId,
            instanceType: req.spec,
            vSwitchId: req.network.subnetId,
            // The MCIS firewall carries SSH itself (mcis-firewall.ts), so it replaces the default group.
            securityGroupId: req.firewall?.id ?? req.network.securityGroupId,
            instanceName: req.name,
            hostName: req.name,
            keyPairName: req.keyName,
            // A repeat with the same token answers the instance of the first call instead of a second one.
            clientToken: req.clientToken,
            amount: 1,
            instanceChargeType: 'PostPaid',
            internetChargeType: 'PayByTraffic',
            internetMaxBandwidthOut: PUBLIC_BANDWIDTH,
            systemDisk: new Ecs.RunInstancesRequestSystemDisk({ category: 'cloud_essd', size: String(req.rootDiskGb ?? 40) }),
            tag: ecsTags({ ...req.tags, Name: req.name }, (t) => new Ecs.RunInstancesRequestTag(t)),
          }),
        ),
      );
      const id = out.body?.instanceIdSets?.instanceIdSet?.[0];
      if (!id) throw new OperationError(`RunInstances for ${req.name} returned no instance id`);
      // A fresh instance shows in DescribeInstances a moment later.
      const [vm] = await retryWhile(
        async () => {
          const found = await describe([id]);
          if (found.length === 0) throw new ProviderError({ provider: 'alibaba', code: 'InvalidInstanceId.NotFound', message: `${id} not listed yet`, errorClass: 'not-found', retryable: false });
          return found;
        },
        isNotFound,
        { maxWaitMs: 30_000, minDelayMs: 200, maxDelayMs: 2_000 },
      );
      return vm ?? { providerId: id, status: 'Creating', nativeState: 'Pending', tags: req.tags };
    },

    describe,

    findByTags: (tags: Tags) => describeWhere({ tag: ecsTags(tags, (t) => new Ecs.DescribeInstancesRequestTag(t)) }),

    async suspend(ids) {
      await inBatches(ids, async (b) =>
        checkBatch(
          await ctx.call((c) => c.stopInstances(new Ecs.StopInstancesRequest({ regionId, instanceId: b, stoppedMode: 'StopCharging', forceStop: false, batchOptimization: 'SuccessFirst' }))),
          'StopInstances',
          ['Stopping', 'Stopped'],
        ),
      );
    },

    async resume(ids) {
      await inBatches(ids, async (b) =>
        checkBatch(await ctx.call((c) => c.startInstances(new Ecs.StartInstancesRequest({ regionId, instanceId: b, batchOptimization: 'SuccessFirst' }))), 'StartInstances', ['Pending', 'Starting', 'Running']),
      );
    },

    async reboot(ids) {
      await inBatches(ids, async (b) =>
        checkBatch(await ctx.call((c) => c.rebootInstances(new Ecs.RebootInstancesRequest({ regionId, instanceId: b, forceStop: false, batchOptimization: 'SuccessFirst' }))), 'RebootInstances', []),
      );
    },

    async terminate(ids) {
      await inBatches(ids, async (b) => {
        // ECS refuses to release an instance still Pending or Starting: wait until it settles.
        const del = (list: string[]) =>
          retryWhile(() => ctx.call((c) => c.deleteInstances(new Ecs.DeleteInstancesRequest({ regionId, instanceId: list, force: true }))), (e) => hasCode(e, 'IncorrectInstanceStatus'), {
            maxWaitMs: ctx.tuning.dependencyWaitMs,
            minDelayMs: 300,
            maxDelayMs: 3_000,
          });
        try {
          await del(b);
        } catch (e) {
          if (!isNotFound(e)) throw e;
          // One unknown id fails the whole call: delete the ones still listed.
          const left = (await describe(b)).map((v) => v.providerId);
          if (left.length) await del(left);
        }
      });
    },
  };
}
