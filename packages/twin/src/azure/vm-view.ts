/** How ARM shows a virtual machine: provisioning and power states, the instance view, the VM resource. */
import { findAzureImageSku } from '../data/azure.js';
import type { ArmCtx } from './context.js';
import { idOf, TYPES, type VirtualMachine } from './model.js';

/** ARM's provisioningState, from the lifecycle's state and the last operation. */
export function provisioningState(vm: VirtualMachine): string {
  if (vm.failed) return 'Failed';
  if (vm.deleting) return 'Deleting';
  if (vm.power.state === 'terminated') return 'Failed';
  if (vm.lastOp === 'create' && vm.power.state === 'pending') return 'Creating';
  if (vm.power.state === 'pending' || vm.power.state === 'stopping') return 'Updating';
  return 'Succeeded';
}

/** The `PowerState/*` code: deallocation is what makes a stopped VM stop billing. */
export function powerState(vm: VirtualMachine): string {
  if (vm.failed) return 'deallocated';
  switch (vm.power.state) {
    case 'pending':
      return 'starting';
    case 'running':
      return 'running';
    case 'stopping':
      return vm.deallocated ? 'deallocating' : 'stopping';
    case 'stopped':
      return vm.deallocated ? 'deallocated' : 'stopped';
    case 'shutting-down':
      return 'stopping';
    case 'terminated':
      return 'stopped';
  }
}

const POWER_DISPLAY: Record<string, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

export function instanceView(vm: VirtualMachine): Record<string, unknown> {
  const prov = provisioningState(vm);
  const when = new Date(vm.power.dueAt ?? Date.parse(vm.timeCreated)).toISOString();
  const statuses: Record<string, unknown>[] = [
    vm.failed
      ? { code: `ProvisioningState/failed/${vm.failed.code}`, level: 'Error', displayStatus: 'Provisioning failed', message: vm.failed.message, time: when }
      : { code: `ProvisioningState/${prov.toLowerCase()}`, level: 'Info', displayStatus: `Provisioning ${prov === 'Succeeded' ? 'succeeded' : prov.toLowerCase()}`, ...(prov === 'Succeeded' ? { time: when } : {}) },
  ];
  const power = powerState(vm);
  if (!vm.deleting || vm.power.state !== 'terminated') statuses.push({ code: `PowerState/${power}`, level: 'Info', displayStatus: POWER_DISPLAY[power] ?? power });
  const sku = findAzureImageSku(vm.image.publisher, vm.image.offer, vm.image.sku);
  return {
    computerName: vm.osProfile.computerName,
    osName: sku?.os.split(' ')[0]?.toLowerCase() ?? 'linux',
    osVersion: sku?.os.split(' ')[1] ?? '',
    vmAgent: {
      vmAgentVersion: '2.11.1.12',
      statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Ready', message: vm.power.state === 'running' ? 'Guest Agent is running' : 'VM status blob is found but not yet populated.', time: when }],
      extensionHandlers: [],
    },
    disks: [{ name: vm.osDisk.name, statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: vm.timeCreated }] }],
    hyperVGeneration: sku?.hyperVGeneration ?? 'V2',
    statuses,
  };
}

export function renderVm(ctx: ArmCtx, vm: VirtualMachine, withView = false): unknown {
  return {
    name: vm.name,
    id: idOf(ctx.sub.id, 'vms', vm),
    type: TYPES.vms,
    location: vm.location,
    tags: vm.tags,
    ...(vm.zones ? { zones: vm.zones } : {}),
    properties: {
      vmId: vm.guid,
      additionalCapabilities: { ultraSSDEnabled: false, hibernationEnabled: false },
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        imageReference: { publisher: vm.image.publisher, offer: vm.image.offer, sku: vm.image.sku, version: vm.image.version, exactVersion: vm.image.exactVersion },
        osDisk: {
          osType: 'Linux',
          name: vm.osDisk.name,
          createOption: 'FromImage',
          caching: vm.osDisk.caching,
          managedDisk: { storageAccountType: vm.osDisk.storageAccountType, id: vm.osDisk.id },
          deleteOption: vm.osDisk.deleteOption,
          diskSizeGB: vm.osDisk.sizeGb,
        },
        dataDisks: [],
      },
      osProfile: {
        computerName: vm.osProfile.computerName,
        adminUsername: vm.osProfile.adminUsername,
        linuxConfiguration: {
          disablePasswordAuthentication: vm.osProfile.disablePasswordAuthentication,
          ssh: { publicKeys: vm.osProfile.publicKeys },
          provisionVMAgent: true,
          patchSettings: { patchMode: 'ImageDefault', assessmentMode: 'ImageDefault' },
        },
        secrets: [],
        allowExtensionOperations: true,
        requireGuestProvisionSignal: true,
      },
      networkProfile: { networkInterfaces: vm.nics.map((n) => ({ id: n.id, properties: { primary: n.primary, deleteOption: n.deleteOption } })) },
      provisioningState: provisioningState(vm),
      timeCreated: vm.timeCreated,
      ...(withView ? { instanceView: instanceView(vm) } : {}),
    },
  };
}
