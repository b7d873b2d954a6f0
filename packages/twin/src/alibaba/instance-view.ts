/** How DescribeInstances shows an instance, and the twin VM states in ECS's names. */
import { findAlibabaImage, findAlibabaInstanceType } from '../data/alibaba.js';
import type { EcsInstance } from './model.js';
import { tagsView } from './tags.js';
import { ecsTime, type WireObject } from './wire.js';

/** ECS status of a twin VM (whose states are EC2's). */
export function ecsStatus(i: EcsInstance): string {
  switch (i.state) {
    case 'pending':
      return i.everRan ? 'Starting' : 'Pending';
    case 'running':
      return 'Running';
    case 'stopping':
    case 'shutting-down':
      return 'Stopping';
    case 'stopped':
    case 'terminated':
      return 'Stopped';
  }
}

/** Whether DescribeInstances still lists it: a deleted instance is gone from ECS at once. */
export function listed(i: EcsInstance): boolean {
  return i.state !== 'shutting-down' && i.state !== 'terminated';
}

export function instanceView(i: EcsInstance): WireObject {
  const type = findAlibabaInstanceType(i.instanceType);
  const image = findAlibabaImage(i.imageId);
  return {
    InstanceId: i.id,
    InstanceName: i.name,
    HostName: i.hostName,
    Description: i.description,
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    InstanceType: i.instanceType,
    InstanceTypeFamily: type?.family ?? '',
    Cpu: type?.vcpus ?? 0,
    Memory: Math.round((type?.memoryGiB ?? 0) * 1024),
    GPUAmount: type?.gpu?.amount ?? 0,
    GPUSpec: type?.gpu?.spec ?? '',
    ImageId: i.imageId,
    OSName: image?.osName.replace(' 64 bit', ' 64位') ?? '',
    OSNameEn: image?.osName ?? '',
    OSType: 'linux',
    Status: ecsStatus(i),
    StoppedMode: i.state === 'stopped' ? i.stoppedMode : 'Not-applicable',
    CreationTime: ecsTime(i.createdAt),
    StartTime: i.startedAt !== undefined ? ecsTime(i.startedAt) : '',
    ExpiredTime: '2099-12-31T15:59Z',
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    InternetMaxBandwidthOut: i.internetMaxBandwidthOut,
    InternetMaxBandwidthIn: -1,
    InstanceNetworkType: 'vpc',
    IoOptimized: true,
    DeviceAvailable: true,
    KeyPairName: i.keyPairName ?? '',
    PublicIpAddress: { IpAddress: i.publicIp && i.internetMaxBandwidthOut > 0 ? [i.publicIp] : [] },
    InnerIpAddress: { IpAddress: [] },
    VpcAttributes: { VpcId: i.vpcId, VSwitchId: i.vSwitchId, PrivateIpAddress: { IpAddress: [i.privateIp] }, NatIpAddress: '' },
    EipAddress: { IpAddress: '', AllocationId: '', InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    OperationLocks: { LockReason: [] },
    Tags: tagsView(i.tags),
    ResourceGroupId: '',
  };
}
