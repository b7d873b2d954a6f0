/**
 * Which network, private IP, name and firewall each isolated VM gets, asked of the engine that
 * owns it (each cloud's `vm-policy.ts`).
 */
import type { EcsEngine } from './alibaba/engine.js';
import { ecsVmPolicy } from './alibaba/vm-policy.js';
import type { AzureEngine } from './azure/engine.js';
import { azureVmPolicy } from './azure/vm-policy.js';
import type { ClouditEngine } from './cloudit/engine.js';
import { clouditVmPolicy } from './cloudit/vm-policy.js';
import type { Ec2Engine } from './ec2/engine.js';
import { ec2VmPolicy } from './ec2/vm-policy.js';
import type { GceEngine } from './gce/engine.js';
import { gceVmPolicy } from './gce/vm-policy.js';
import type { OpenStackEngine } from './openstack/engine.js';
import { openstackVmPolicy } from './openstack/vm-policy.js';
import type { PolicySource } from './vm/isolation/policy.js';

/** Getters: the engines are made after the isolation that asks them. */
export interface PolicyEngines {
  ec2: () => Ec2Engine;
  gce: () => GceEngine;
  azure: () => AzureEngine | undefined;
  ecs: () => EcsEngine;
  openstack: () => OpenStackEngine;
  cloudit: () => ClouditEngine;
}

export function vmPolicies(e: PolicyEngines): PolicySource {
  return (vmId) => {
    const azure = e.azure();
    return (
      ec2VmPolicy(e.ec2().allRegions(), vmId) ??
      gceVmPolicy(e.gce().allProjects(), vmId) ??
      (azure ? azureVmPolicy(azure.allSubscriptions(), vmId) : undefined) ??
      ecsVmPolicy(e.ecs().allRegions(), vmId) ??
      openstackVmPolicy(e.openstack().allRegions(), vmId) ??
      clouditVmPolicy(e.cloudit().tenant, vmId)
    );
  };
}
