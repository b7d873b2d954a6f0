/** VM lifecycle on EC2: launch (idempotent by ClientToken), describe, find by tags, act in batches. */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type BlockDeviceMapping,
  type DescribeInstancesCommandInput,
  type Instance,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import type { AwsContext } from './context.js';
import { isNotFound } from './errors.js';
import { toVmStatus } from './states.js';
import { fromAwsTags, tagFilters, tagSpec } from './tags.js';

/** Instance ids per Describe/Start/Stop/Reboot/Terminate call. */
export const ID_BATCH = 1000;
/** Values per filter: EC2 caps filter value lists well below the id-list limit. */
export const FILTER_VALUES = 200;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function toVmInfo(i: Instance): VmInfo {
  const nativeState = i.State?.Name ?? 'unknown';
  return {
    providerId: i.InstanceId ?? '',
    status: toVmStatus(nativeState),
    nativeState,
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(i.InstanceType ? { spec: i.InstanceType } : {}),
    ...(i.ImageId ? { image: i.ImageId } : {}),
    ...(i.Placement?.AvailabilityZone ? { zone: i.Placement.AvailabilityZone } : {}),
    tags: fromAwsTags(i.Tags),
    ...(i.LaunchTime ? { launchedAt: i.LaunchTime.toISOString() } : {}),
  };
}

export function createVms(ctx: AwsContext): VmApi {
  const ec2 = ctx.client;

  /** Every instance matching `input`, following NextToken. */
  async function describeAll(input: DescribeInstancesCommandInput): Promise<VmInfo[]> {
    const out: VmInfo[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(new DescribeInstancesCommand({ ...input, NextToken }));
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) out.push(toVmInfo(i));
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  }

  async function describeBatch(ids: string[]): Promise<VmInfo[]> {
    try {
      return await describeAll({ InstanceIds: ids });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // Some id vanished (or is not visible yet): by id, EC2 fails the whole call; by the
      // instance-id filter it just leaves the unknown ones out, which is what we promise.
      const found = await Promise.all(
        chunk(ids, FILTER_VALUES).map((part) =>
          describeAll({ Filters: [{ Name: 'instance-id', Values: part }], MaxResults: 1000 }),
        ),
      );
      return found.flat();
    }
  }

  async function describe(ids: string[]): Promise<VmInfo[]> {
    const unique = [...new Set(ids)];
    const parts = await Promise.all(chunk(unique, ID_BATCH).map(describeBatch));
    return parts.flat();
  }

  async function rootDeviceFor(imageId: string, sizeGb: number): Promise<BlockDeviceMapping[]> {
    // The mapping must name the image's own root device (/dev/sda1 on Ubuntu, /dev/xvda on Debian).
    const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const device = out.Images?.[0]?.RootDeviceName;
    if (!device) throw new OperationError(`image ${imageId} reports no root device name`);
    return [{ DeviceName: device, Ebs: { VolumeSize: sizeGb, DeleteOnTermination: true } }];
  }

  async function inBatches(ids: string[], act: (batch: string[]) => Promise<unknown>): Promise<void> {
    await Promise.all(chunk([...new Set(ids)], ID_BATCH).map(act));
  }

  return {
    async create(req: CreateVmRequest): Promise<VmInfo> {
      const blockDevices = req.rootDiskGb ? await rootDeviceFor(req.imageId, req.rootDiskGb) : undefined;
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: req.imageId,
          InstanceType: req.spec as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          // A repeat with the same token returns the instance of the first call instead of a second one.
          ClientToken: req.clientToken,
          KeyName: req.keyName,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: req.network.subnetId,
              // The MCIS firewall carries SSH itself (mcis-firewall.ts), so it replaces the default group.
              Groups: [req.firewall?.id ?? req.network.securityGroupId],
              AssociatePublicIpAddress: true,
              DeleteOnTermination: true,
            },
          ],
          ...(blockDevices ? { BlockDeviceMappings: blockDevices } : {}),
          TagSpecifications: [tagSpec('instance', req.tags, req.name), tagSpec('volume', req.tags, req.name)],
        }),
      );
      const instance = out.Instances?.[0];
      if (!instance?.InstanceId)
        throw new OperationError(`RunInstances for ${req.name} returned no instance`);
      return toVmInfo(instance);
    },

    describe,

    async findByTags(tags: Tags): Promise<VmInfo[]> {
      return describeAll({ Filters: tagFilters(tags), MaxResults: 1000 });
    },

    async suspend(ids) {
      await inBatches(ids, (b) => ec2.send(new StopInstancesCommand({ InstanceIds: b })));
    },

    async resume(ids) {
      await inBatches(ids, (b) => ec2.send(new StartInstancesCommand({ InstanceIds: b })));
    },

    async reboot(ids) {
      await inBatches(ids, (b) => ec2.send(new RebootInstancesCommand({ InstanceIds: b })));
    },

    async terminate(ids) {
      await inBatches(ids, async (b) => {
        try {
          await ec2.send(new TerminateInstancesCommand({ InstanceIds: b }));
        } catch (e) {
          if (!isNotFound(e)) throw e;
          // One unknown id fails the whole batch: terminate the ones that still exist.
          const left = (await describe(b)).filter((v) => v.status !== 'Terminated').map((v) => v.providerId);
          if (left.length) await ec2.send(new TerminateInstancesCommand({ InstanceIds: left }));
        }
      });
    },
  };
}
