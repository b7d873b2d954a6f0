/**
 * Microsoft.Compute virtual machines: createOrUpdate as a long-running operation (provisioning
 * Creating → Succeeded while the VM boots), get/list with the instance view, powerOff, deallocate,
 * start, restart, delete. Every running VM is a real SSH server (the shared VM lifecycle) that
 * accepts exactly the keys in osProfile.linuxConfiguration.ssh.publicKeys.
 */
import { randomUUID } from 'node:crypto';
import { findAzureImageSku } from '../data/azure.js';
import { type ArmCtx, type ArmResponse, checkName, group, location, lroHeaders, page, param, sameText, tags as bodyTags } from './context.js';
import { ArmError, ASYNC_FAILURE_CODES, faultMessage, resourceNotFound } from './errors.js';
import { type Disk, idOf, type PublicIp, resourceId, TYPES, type VirtualMachine, type VmNic } from './model.js';
import { parseModel } from './vm-request.js';
import { instanceView, renderVm } from './vm-view.js';
import { newBacking } from '../vm/backing.js';

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
    power: newBacking(ctx.engine.lifecycle, {
      id: `azure-${guid}`,
      sshUser: m.osProfile.adminUsername,
      authorizedKeys: m.osProfile.publicKeys.map((k) => k.keyData),
      nodeRuntime: findAzureImageSku(m.image.publisher, m.image.offer, m.image.sku)?.nodeRuntime,
    }),
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
