/**
 * Cloud-Twin: a loopback emulator of the clouds' wire APIs (EC2 Query, GCE REST, Azure ARM, ECS RPC, OpenStack, three
 * pricing APIs, their token endpoints, an admin API) whose running VMs are real SSH endpoints on
 * their own loopback addresses.
 */
export { startTwin, type Twin, type TwinEndpoints, type TwinOptions, type TwinStatus, type TwinInstanceInfo, type InstanceCounts } from './twin.js';
export { CLOUDIT_CLUSTERS, CLOUDIT_SPECS, CLOUDIT_TEMPLATES } from './cloudit/catalog.js';
export { OPENSTACK_REGIONS, FLAVORS as OPENSTACK_FLAVORS, imagesOf as openstackImagesOf } from './openstack/catalog.js';
export { readTwinCredentials, gcpServiceAccountKey, SECRET_FILE, type TwinCredentials } from './auth/credentials.js';
export { parseFaultSpec, validateFaultRule, Faults, type FaultRule } from './faults.js';
export { parseDuration } from './duration.js';
export type { RequestLogEntry } from './http/types.js';
export {
  AWS_REGIONS,
  AWS_INSTANCE_TYPES,
  imagesFor as awsImagesFor,
  onDemandPrice as awsOnDemandPrice,
  type AwsRegion,
  type AwsInstanceType,
  type AwsImage,
} from './data/aws.js';
export {
  GCP_REGIONS,
  GCP_MACHINE_TYPES,
  GCP_IMAGES,
  gcpOnDemandPrice,
  type GcpRegion,
  type GcpMachineType,
  type GcpImage,
} from './data/gcp.js';
export {
  AZURE_REGIONS,
  AZURE_VM_SIZES,
  AZURE_IMAGES,
  azurePrice,
  type AzureRegion,
  type AzureVmSize,
  type AzureImageSku,
} from './data/azure.js';
export { ALIBABA_REGIONS, ALIBABA_INSTANCE_TYPES, ALIBABA_IMAGES, alibabaPrice, type AlibabaRegion, type AlibabaInstanceType, type AlibabaImage } from './data/alibaba.js';
