/**
 * Which network, private IP, name and firewall each isolated VM gets, asked of the engine that
 * owns it. Alibaba and OpenStack VMs join their VPC/network with their private IP but keep every
 * port open: their security groups are not enforced yet.
 */
import type { EcsEngine } from './alibaba/engine.js';
import type { AzureEngine } from './azure/engine.js';
import { azureVmPolicy } from './azure/vm-policy.js';
import type { Ec2Engine } from './ec2/engine.js';
import { ec2VmPolicy } from './ec2/vm-policy.js';
import type { GceEngine } from './gce/engine.js';
import { gceVmPolicy } from './gce/vm-policy.js';
import type { OpenStackEngine } from './openstack/engine.js';
import { type PolicySource, prefixOf, type VmNetPolicy } from './vm/isolation/policy.js';

/** Getters: the engines are made after the isolation that asks them. */
export interface PolicyEngines {
  ec2: () => Ec2Engine;
  gce: () => GceEngine;
  azure: () => AzureEngine | undefined;
  ecs: () => EcsEngine;
  openstack: () => OpenStackEngine;
}

function open(network: string, hostname: string, privateIp: string | undefined, cidr: string | undefined): VmNetPolicy {
  const prefixLength = prefixOf(cidr);
  return { network, hostname, ...(privateIp ? { privateIp } : {}), ...(prefixLength !== undefined ? { prefixLength } : {}), layers: [] };
}

function ecsPolicy(ecs: EcsEngine, vmId: string): VmNetPolicy | undefined {
  for (const r of ecs.allRegions()) {
    const i = r.instances.get(vmId);
    if (i) return open(`alibaba:${r.id}:${i.vpcId}`, i.hostName || i.name, i.privateIp, r.vSwitches.get(i.vSwitchId)?.cidr);
  }
  return undefined;
}

function openstackPolicy(os: OpenStackEngine, vmId: string): VmNetPolicy | undefined {
  for (const r of os.allRegions()) {
    const s = [...r.servers.values()].find((v) => v.vm.id === vmId);
    if (!s) continue;
    const port = [...r.ports.values()].find((p) => p.device_id === s.id);
    const fixed = port?.fixed_ips[0];
    return open(`openstack:${r.name}:${port?.network_id ?? 'none'}`, s.name, fixed?.ip_address, fixed ? r.subnets.get(fixed.subnet_id)?.cidr : undefined);
  }
  return undefined;
}

export function vmPolicies(e: PolicyEngines): PolicySource {
  return (vmId) => {
    const azure = e.azure();
    return (
      ec2VmPolicy(e.ec2().allRegions(), vmId) ??
      gceVmPolicy(e.gce().allProjects(), vmId) ??
      (azure ? azureVmPolicy(azure.allSubscriptions(), vmId) : undefined) ??
      ecsPolicy(e.ecs(), vmId) ??
      openstackPolicy(e.openstack(), vmId)
    );
  };
}
