/**
 * Microsoft.Compute virtual machines: createOrUpdate as a long-running operation (provisioning
 * Creating → Succeeded while the VM boots), get/list with the instance view, powerOff, deallocate,
 * start, restart, delete. Every running VM is a real SSH server (the shared VM lifecycle) that
 * accepts exactly the keys in osProfile.linuxConfiguration.ssh.publicKeys.
 */
import { randomUUID } from 'node:crypto';
import { azureSizesIn, DISALLOWED_ADMIN_USERS, findAzureImageSku, findAzureRegion, findAzureVmSize } from '../data/azure.js';
import { parsePublicKey } from '../ec2/keys.js';
import { type ArmCtx, type ArmResponse, arr, checkName, group, location, lroHeaders, obj, page, param, props, sameText, str, tags as bodyTags } from './context.js';
import { ArmError, ASYNC_FAILURE_CODES, faultMessage, invalidParameter, resourceNotFound } from './errors.js';
import { type DeleteOption, type Disk, idOf, type PublicIp, resourceId, TYPES, type VirtualMachine, type VmNic } from './model.js';

const NS = 'Microsoft.Compute';

function vmKey(ctx: ArmCtx, rg: string, name: string): string {
  return resourceId(ctx.sub.id, rg, TYPES.vms, name).toLowerCase();
}

function findVm(ctx: ArmCtx): VirtualMachine {
  ctx.engine.settle();
  const g = group(ctx);
  const name = param(ctx, 'name');
  const vm = ctx.sub.vms.get(vmKey(ctx, g.name, name));
  if (!vm) throw resourceNotFound(TYPES.vms, name, g.name);
  return vm;
}

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

function deleteOption(v: unknown): DeleteOption {
  return v === 'Delete' ? 'Delete' : 'Detach';
}

interface Parsed {
  vmSize: string;
  image: VirtualMachine['image'];
  imageArch: string;
  osDisk: Omit<VirtualMachine['osDisk'], 'id'>;
  osProfile: VirtualMachine['osProfile'];
  nics: VmNic[];
  zones?: string[];
}

/** Reads and checks the VM model of a create request, with the errors ARM gives for each field. */
function parseModel(ctx: ArmCtx, name: string, loc: string): Parsed {
  const p = props(ctx);
  const sizeName = str(obj(p.hardwareProfile).vmSize);
  const size = sizeName ? findAzureVmSize(sizeName) : undefined;
  if (!size) throw invalidParameter(`The value ${sizeName ?? '(null)'} provided for the VM size is not valid. The valid sizes in the current region are: ${azureSizesIn(loc).map((s) => s.name).join(',')}.`, 'vmSize');
  if (!azureSizesIn(loc).includes(size)) {
    throw new ArmError(409, 'SkuNotAvailable', `The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: ${size.name}' is currently not available in location '${loc}'. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.`);
  }
  const region = findAzureRegion(loc);
  const zones = arr(ctx.body.zones).map(String);
  for (const z of zones) {
    if (!region?.zones.includes(z)) throw invalidParameter(`The zone(s) '${z}' for resource 'Microsoft.Compute/virtualMachines/${name}' is not supported. The supported zones for location '${loc}' are '${region?.zones.join(',') ?? ''}'`, 'zones');
  }

  const storage = obj(p.storageProfile);
  const ref = obj(storage.imageReference);
  const [publisher, offer, skuName, version] = [str(ref.publisher) ?? '', str(ref.offer) ?? '', str(ref.sku) ?? '', str(ref.version) ?? 'latest'];
  const sku = findAzureImageSku(publisher, offer, skuName);
  const exact = sku ? (sameText(version, 'latest') ? sku.versions[sku.versions.length - 1] : sku.versions.find((v) => v === version)) : undefined;
  if (!sku || !exact) {
    throw new ArmError(404, 'PlatformImageNotFound', `The platform image '${publisher}:${offer}:${skuName}:${version}' is not available. Verify that all fields in the storage profile are correct. For more details about storage profile information, please refer to https://aka.ms/storageprofile`, 'imageReference');
  }
  if (sku.architecture !== size.architecture) {
    throw new ArmError(400, 'BadRequest', `The selected VM size '${size.name}' cannot boot Hypervisor Generation '${sku.hyperVGeneration}' images of architecture '${sku.architecture}'.`);
  }
  const od = obj(storage.osDisk);
  const diskSize = od.diskSizeGB === undefined ? 30 : Number(od.diskSizeGB);
  if (!Number.isInteger(diskSize) || diskSize < 30 || diskSize > 4095) {
    throw invalidParameter(`The specified disk size ${String(od.diskSizeGB)} GB is smaller than the size of the corresponding disk in the VM image: 30 GB. This is not allowed. Please choose equal or greater size or do not specify an explicit size.`, 'osDisk.diskSizeGB');
  }

  const os = obj(p.osProfile);
  const admin = str(os.adminUsername);
  if (!admin) throw invalidParameter("Required parameter 'adminUsername' is missing (null).", 'adminUsername');
  if (DISALLOWED_ADMIN_USERS.has(admin.toLowerCase()) || !/^[a-z_][a-z0-9_.-]{0,63}$/i.test(admin)) {
    throw invalidParameter('The Admin Username specified is not allowed.', 'adminUsername');
  }
  const linux = obj(os.linuxConfiguration);
  const publicKeys = arr(obj(linux.ssh).publicKeys).map((raw) => {
    const k = obj(raw);
    const path = str(k.path) ?? '';
    const keyData = str(k.keyData) ?? '';
    if (path !== `/home/${admin}/.ssh/authorized_keys`) {
      throw invalidParameter(`Destination path for SSH public keys is currently limited to its default value /home/${admin}/.ssh/authorized_keys  due to a known issue in Linux provisioning agent.`, 'linuxConfiguration.ssh.publicKeys.path');
    }
    try {
      parsePublicKey(keyData);
    } catch {
      throw invalidParameter('The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.', 'linuxConfiguration.ssh.publicKeys.keyData');
    }
    return { path, keyData: keyData.trim() };
  });
  const disablePassword = linux.disablePasswordAuthentication !== false;
  if (disablePassword && !publicKeys.length) {
    throw invalidParameter('Authentication using either SSH or by user name and password must be enabled in Linux profile.', 'linuxConfiguration');
  }
  if (!disablePassword && !str(os.adminPassword)) throw invalidParameter("Required parameter 'adminPassword' is missing (null).", 'adminPassword');

  const nicRefs = arr(obj(p.networkProfile).networkInterfaces).map(obj);
  if (!nicRefs.length) throw invalidParameter('Virtual machine must have at least one network interface.', 'networkProfile.networkInterfaces');
  const nics = nicRefs.map((r, i): VmNic => {
    const id = str(r.id) ?? '';
    const nic = ctx.sub.nics.get(id.toLowerCase());
    if (!nic) throw new ArmError(404, 'NotFound', `Resource ${id || '(null)'} not found.`);
    if (nic.location !== loc) {
      throw invalidParameter(`The Virtual Machine '${name}' and the network interface '${nic.name}' must be in the same location '${loc}'.`, 'networkProfile.networkInterfaces');
    }
    if (nic.vmId && !sameText(nic.vmId, resourceId(ctx.sub.id, param(ctx, 'rg'), TYPES.vms, name))) {
      throw new ArmError(400, 'NicInUse', `Network interface ${idOf(ctx.sub.id, 'nics', nic)} is in use by ${nic.vmId}.`);
    }
    const rp = obj(r.properties);
    return { id: idOf(ctx.sub.id, 'nics', nic), primary: typeof rp.primary === 'boolean' ? rp.primary : i === 0, deleteOption: deleteOption(rp.deleteOption) };
  });

  return {
    vmSize: size.name,
    image: { publisher: sku.publisher, offer: sku.offer, sku: sku.sku, version, exactVersion: exact },
    imageArch: sku.architecture,
    osDisk: {
      name: str(od.name) ?? `${name}_OsDisk_1_${randomUUID().replace(/-/g, '')}`,
      sizeGb: diskSize,
      storageAccountType: str(obj(od.managedDisk).storageAccountType) ?? 'Premium_LRS',
      caching: str(od.caching) ?? 'ReadWrite',
      deleteOption: deleteOption(od.deleteOption),
    },
    osProfile: { computerName: str(os.computerName) ?? name, adminUsername: admin, disablePasswordAuthentication: disablePassword, publicKeys },
    nics,
    ...(zones.length ? { zones } : {}),
  };
}

/** The primary NIC's public IP, if any. */
function publicIpOf(ctx: ArmCtx, vm: { nics: VmNic[] }): PublicIp | undefined {
  const ref = vm.nics.find((n) => n.primary) ?? vm.nics[0];
  const nic = ref ? ctx.sub.nics.get(ref.id.toLowerCase()) : undefined;
  const ipc = nic?.ipConfigurations.find((c) => c.primary) ?? nic?.ipConfigurations[0];
  return ipc?.publicIpId ? ctx.sub.pips.get(ipc.publicIpId.toLowerCase()) : undefined;
}

/** Before a boot: the VM serves SSH on its public IP resource's address (reserving a dynamic one). */
function bindAddress(ctx: ArmCtx, vm: VirtualMachine): void {
  const pip = publicIpOf(ctx, vm);
  vm.power.assignPublicIp = pip !== undefined;
  if (!pip) return;
  pip.ipAddress ??= ctx.engine.allocateIp();
  vm.power.publicIp = pip.ipAddress;
}

function accepted(ctx: ArmCtx, vm: VirtualMachine, kind: Parameters<ArmCtx['engine']['startOperation']>[1], status: number, body?: unknown, dueAt?: number): ArmResponse {
  const op = ctx.engine.startOperation(ctx.sub.id, kind, idOf(ctx.sub.id, 'vms', vm), dueAt !== undefined ? { dueAt } : {});
  ctx.engine.changed();
  return { status, ...(body !== undefined ? { body } : {}), headers: { ...lroHeaders(ctx, op, NS, vm.location, body === undefined), ...(body === undefined ? { 'retry-after': '10' } : {}) } };
}

export function putVm(ctx: ArmCtx, asyncFault?: string): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.vms, 64);
  const k = vmKey(ctx, g.name, name);
  const existing = ctx.sub.vms.get(k);
  if (existing) {
    if (existing.deleting) throw new ArmError(409, 'OperationNotAllowed', `Operation 'createOrUpdate' is not allowed on VM '${name}' since the VM is marked for deletion. You can only retry the Delete operation (or wait for an ongoing one to complete).`);
    // A repeat of the create (or a tags update): the VM stays as it is.
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return accepted(ctx, existing, 'done', 200, renderVm(ctx, existing));
  }
  const loc = location(ctx, TYPES.vms);
  const m = parseModel(ctx, name, loc);
  const vmId = resourceId(ctx.sub.id, g.name, TYPES.vms, name);
  const guid = randomUUID();
  const diskId = resourceId(ctx.sub.id, g.name, TYPES.disks, m.osDisk.name);
  const vm: VirtualMachine = {
    seq: ctx.engine.nextSeq(),
    name,
    resourceGroup: g.name,
    location: loc,
    tags: bodyTags(ctx),
    guid,
    ...(m.zones ? { zones: m.zones } : {}),
    vmSize: m.vmSize,
    image: m.image,
    osDisk: { ...m.osDisk, id: diskId },
    osProfile: m.osProfile,
    nics: m.nics,
    timeCreated: new Date(ctx.engine.now()).toISOString(),
    power: {
      // Unique across providers: it names the VM's directory under the state dir.
      id: `azure-${guid}`,
      state: 'pending',
      assignPublicIp: false,
      hostKey: ctx.engine.lifecycle.hostKey(),
      authorizedKeys: m.osProfile.publicKeys.map((k) => k.keyData),
      sshUser: m.osProfile.adminUsername,
      ...(findAzureImageSku(m.image.publisher, m.image.offer, m.image.sku)?.nodeRuntime ? { nodeRuntime: 'kubernetes' as const } : {}),
      stateTransitionReason: '',
    },
    deallocated: false,
    lastOp: 'create',
    deleting: false,
  };
  ctx.sub.vms.set(k, vm);
  for (const ref of m.nics) {
    const nic = ctx.sub.nics.get(ref.id.toLowerCase());
    if (nic) nic.vmId = vmId;
  }
  const disk: Disk = {
    seq: ctx.engine.nextSeq(),
    name: m.osDisk.name,
    resourceGroup: g.name,
    location: loc,
    tags: {},
    guid: randomUUID(),
    sizeGb: m.osDisk.sizeGb,
    sku: m.osDisk.storageAccountType,
    managedBy: vmId,
    image: `${m.image.publisher}:${m.image.offer}:${m.image.sku}:${m.image.exactVersion}`,
    ...(m.zones ? { zones: m.zones } : {}),
  };
  ctx.sub.disks.set(diskId.toLowerCase(), disk);
  if (asyncFault && ASYNC_FAILURE_CODES.has(asyncFault)) {
    // Accepted, then the allocation fails: the VM exists, provisioning Failed, never ran.
    vm.failed = { code: asyncFault, message: faultMessage(asyncFault) };
    vm.power.state = 'stopped';
  } else {
    bindAddress(ctx, vm);
    ctx.engine.lifecycle.launch(undefined, vm.power);
  }
  return accepted(ctx, vm, 'vm-running', 201, renderVm(ctx, vm));
}

export function getVm(ctx: ArmCtx): ArmResponse {
  const expand = ctx.query.get('$expand');
  return { status: 200, body: renderVm(ctx, findVm(ctx), sameText(expand ?? '', 'instanceView')) };
}

export function getInstanceView(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: instanceView(findVm(ctx)) };
}

export function updateVmTags(ctx: ArmCtx): ArmResponse {
  const vm = findVm(ctx);
  if (ctx.body.tags !== undefined) vm.tags = bodyTags(ctx);
  return accepted(ctx, vm, 'done', 200, renderVm(ctx, vm));
}

function notAllowed(vm: VirtualMachine, op: string, why: string): ArmError {
  return new ArmError(409, 'OperationNotAllowed', `Operation '${op}' is not allowed on VM '${vm.name}' since the VM ${why}.`);
}

function checkNotDeleting(vm: VirtualMachine, op: string): void {
  if (vm.deleting) throw notAllowed(vm, op, 'is marked for deletion. You can only retry the Delete operation (or wait for an ongoing one to complete)');
  if (vm.failed && op !== 'deallocate' && op !== 'powerOff') throw notAllowed(vm, op, 'failed to provision');
}

function stop(ctx: ArmCtx, deallocate: boolean): ArmResponse {
  const vm = findVm(ctx);
  checkNotDeleting(vm, deallocate ? 'deallocate' : 'powerOff');
  const s = vm.power.state;
  if (s === 'pending' || s === 'running' || (s === 'stopping' && deallocate && !vm.deallocated)) {
    vm.deallocated = deallocate;
    vm.lastOp = 'stop';
    if (s !== 'stopping') ctx.engine.lifecycle.stop(undefined, vm.power);
  } else if (s === 'stopped' && deallocate && !vm.deallocated) {
    vm.deallocated = true;
  }
  if (deallocate) {
    // A dynamic address goes back to the pool with the deallocation; a static one stays reserved.
    const pip = publicIpOf(ctx, vm);
    if (pip?.allocation === 'Dynamic') delete pip.ipAddress;
  }
  return accepted(ctx, vm, 'vm-stopped', 202);
}

export function powerOff(ctx: ArmCtx): ArmResponse {
  return stop(ctx, false);
}

export function deallocate(ctx: ArmCtx): ArmResponse {
  return stop(ctx, true);
}

export function start(ctx: ArmCtx): ArmResponse {
  const vm = findVm(ctx);
  checkNotDeleting(vm, 'start');
  if (vm.power.state === 'stopping') throw notAllowed(vm, 'start', 'is being stopped; retry once it is stopped');
  if (vm.power.state === 'stopped') {
    vm.lastOp = 'start';
    vm.deallocated = false;
    bindAddress(ctx, vm);
    ctx.engine.lifecycle.start(undefined, vm.power);
  }
  return accepted(ctx, vm, 'vm-running', 202);
}

export function restart(ctx: ArmCtx): ArmResponse {
  const vm = findVm(ctx);
  checkNotDeleting(vm, 'restart');
  if (vm.power.state !== 'running') throw notAllowed(vm, 'restart', 'is not running (deallocated or marked to be deallocated)');
  vm.lastOp = 'restart';
  ctx.engine.lifecycle.reboot(undefined, vm.power);
  return accepted(ctx, vm, 'vm-restart', 202, undefined, ctx.engine.now() + ctx.engine.o.bootDelayMs);
}

export function deleteVm(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx);
  const vm = ctx.sub.vms.get(vmKey(ctx, g.name, param(ctx, 'name')));
  if (!vm) return { status: 204 };
  if (!vm.deleting) {
    vm.deleting = true;
    vm.lastOp = 'delete';
    if (!vm.failed) ctx.engine.lifecycle.terminate(undefined, vm.power);
  }
  const res = accepted(ctx, vm, 'vm-deleted', 202);
  ctx.engine.settle();
  return res;
}

/** VMs of a group, or of the subscription (`statusOnly=true` adds each one's instance view). */
export function listVms(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const rg = ctx.p.rg ? group(ctx).name.toLowerCase() : undefined;
  const statusOnly = ctx.query.get('statusOnly') === 'true';
  const items = [...ctx.sub.vms.values()].filter((v) => rg === undefined || v.resourceGroup.toLowerCase() === rg);
  return page(ctx, items, (v) => renderVm(ctx, v, statusOnly));
}

// ---- disks ---------------------------------------------------------------------------------------

function renderDisk(ctx: ArmCtx, d: Disk): unknown {
  return {
    name: d.name,
    id: idOf(ctx.sub.id, 'disks', d),
    type: TYPES.disks,
    location: d.location,
    tags: d.tags,
    ...(d.zones ? { zones: d.zones } : {}),
    ...(d.managedBy ? { managedBy: d.managedBy } : {}),
    sku: { name: d.sku, tier: d.sku.startsWith('Premium') ? 'Premium' : 'Standard' },
    properties: {
      osType: 'Linux',
      hyperVGeneration: 'V2',
      creationData: { createOption: 'FromImage', imageReference: { id: d.image } },
      diskSizeGB: d.sizeGb,
      diskState: d.managedBy ? 'Attached' : 'Unattached',
      provisioningState: 'Succeeded',
      uniqueId: d.guid,
    },
  };
}

export function listDisks(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const rg = ctx.p.rg ? group(ctx).name.toLowerCase() : undefined;
  return page(ctx, [...ctx.sub.disks.values()].filter((d) => rg === undefined || d.resourceGroup.toLowerCase() === rg), (d) => renderDisk(ctx, d));
}

export function getDisk(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx);
  const name = param(ctx, 'name');
  const d = ctx.sub.disks.get(resourceId(ctx.sub.id, g.name, TYPES.disks, name).toLowerCase());
  if (!d) throw resourceNotFound(TYPES.disks, name, g.name);
  return { status: 200, body: renderDisk(ctx, d) };
}

export function deleteDisk(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx);
  const k = resourceId(ctx.sub.id, g.name, TYPES.disks, param(ctx, 'name')).toLowerCase();
  const d = ctx.sub.disks.get(k);
  if (!d) return { status: 204 };
  if (d.managedBy) throw new ArmError(409, 'OperationNotAllowed', `Disk ${d.name} is attached to VM ${d.managedBy}.`);
  ctx.sub.disks.delete(k);
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', k);
  return { status: 202, headers: lroHeaders(ctx, op, NS, d.location, true) };
}

