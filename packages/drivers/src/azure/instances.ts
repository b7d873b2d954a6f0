/**
 * VM lifecycle on Azure: per VM a public IP, a NIC and the VM (idempotent by name, derived from the
 * client token), state from the instance view, suspend = deallocate, terminate = the VM and then
 * its NIC, public IP and OS disk, so nothing is left behind.
 */
import type { InstanceViewStatus, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { imageUrn, parseUrn } from './catalog.js';
import { all, az, type AzureContext, lro } from './context.js';
import { gone, orNone } from './network.js';
import { nicName, osDiskName, parseArmId, publicIpName, vmResourceName } from './names.js';
import { toProviderError } from './errors.js';
import { describeNative, nativeStateOf, toVmStatus } from './states.js';

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

export function toVmInfo(vm: VirtualMachine, statuses: InstanceViewStatus[] | undefined, nic?: NetworkInterface, pip?: PublicIPAddress): VmInfo {
  const native = nativeStateOf(statuses ?? (vm.provisioningState ? [{ code: `ProvisioningState/${vm.provisioningState}` }] : []));
  const ipc = nic?.ipConfigurations?.find((c) => c.primary) ?? nic?.ipConfigurations?.[0];
  const ref = vm.storageProfile?.imageReference;
  return {
    providerId: vm.id ?? '',
    status: toVmStatus(native),
    nativeState: describeNative(native),
    ...(pip?.ipAddress ? { publicIp: pip.ipAddress } : {}),
    ...(ipc?.privateIPAddress ? { privateIp: ipc.privateIPAddress } : {}),
    ...(vm.hardwareProfile?.vmSize ? { spec: vm.hardwareProfile.vmSize } : {}),
    ...(ref?.publisher ? { image: imageUrn({ ...ref, version: ref.exactVersion ?? ref.version }) } : {}),
    ...(vm.zones?.[0] ? { zone: vm.zones[0] } : {}),
    tags: { ...(vm.tags ?? {}) },
    ...(vm.timeCreated ? { launchedAt: new Date(vm.timeCreated).toISOString() } : {}),
  };
}

/** Does `have` carry every one of `want`? */
function carries(have: Tags | undefined, want: Tags): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

export function createVms(ctx: AzureContext): VmApi {
  const { compute, network } = ctx.clients;
  const gate = () => new Semaphore(ctx.tuning.parallelism);

  /** The VMs, NICs and public IPs of the given groups, and every VM's instance view statuses. */
  async function snapshot(groups: string[]) {
    const perGroup = await Promise.all(
      groups.map(async (g) => {
        const [vms, nics, pips] = await Promise.all([
          orNone(az(ctx, () => all(compute.virtualMachines.list(g)))),
          orNone(az(ctx, () => all(network.networkInterfaces.list(g)))),
          orNone(az(ctx, () => all(network.publicIPAddresses.list(g)))),
        ]);
        return { vms: vms ?? [], nics: nics ?? [], pips: pips ?? [] };
      }),
    );
    // One subscription-wide call for every VM's power and provisioning state.
    const views = await az(ctx, () => all(compute.virtualMachines.listAll({ statusOnly: 'true' })));
    const statuses = new Map(views.map((v) => [lower(v.id), v.instanceView?.statuses]));
    const nics = new Map(perGroup.flatMap((p) => p.nics).map((n) => [lower(n.id), n]));
    const pips = new Map(perGroup.flatMap((p) => p.pips).map((p) => [lower(p.id), p]));
    return perGroup.flatMap((p) => p.vms).map((vm) => {
      const ref = vm.networkProfile?.networkInterfaces?.find((n) => n.primary) ?? vm.networkProfile?.networkInterfaces?.[0];
      const nic = nics.get(lower(ref?.id));
      const ipc = nic?.ipConfigurations?.find((c) => c.primary) ?? nic?.ipConfigurations?.[0];
      const pip = pips.get(lower(ipc?.publicIPAddress?.id));
      return toVmInfo(vm, statuses.get(lower(vm.id)) ?? vm.instanceView?.statuses, nic, pip);
    });
  }

  async function one(group: string, name: string): Promise<VmInfo | undefined> {
    const vm = await orNone(az(ctx, () => compute.virtualMachines.get(group, name, { expand: 'instanceView' })));
    if (!vm) return undefined;
    const ref = vm.networkProfile?.networkInterfaces?.find((n) => n.primary) ?? vm.networkProfile?.networkInterfaces?.[0];
    const nicRef = parseArmId(ref?.id ?? '');
    const nic = nicRef ? await orNone(az(ctx, () => network.networkInterfaces.get(nicRef.resourceGroup, nicRef.name))) : undefined;
    const ipc = nic?.ipConfigurations?.find((c) => c.primary) ?? nic?.ipConfigurations?.[0];
    const pipRef = parseArmId(ipc?.publicIPAddress?.id ?? '');
    const pip = pipRef ? await orNone(az(ctx, () => network.publicIPAddresses.get(pipRef.resourceGroup, pipRef.name))) : undefined;
    return toVmInfo(vm, vm.instanceView?.statuses, nic, pip);
  }

  function target(id: string): { group: string; name: string } {
    const p = parseArmId(id);
    if (!p) throw new OperationError(`'${id}' is not an Azure VM resource id`);
    return { group: p.resourceGroup, name: p.name };
  }

  async function each(ids: string[], act: (group: string, name: string) => Promise<unknown>): Promise<void> {
    const g = gate();
    await Promise.all([...new Set(ids)].map((id) => g.run(async () => { const t = target(id); await act(t.group, t.name); })));
  }

  /** Removes what a VM create made around the VM (after the VM itself is gone). */
  async function deleteParts(group: string, vmName: string): Promise<void> {
    await gone(az(ctx, () => network.networkInterfaces.beginDeleteAndWait(group, nicName(vmName), lro(ctx))));
    await gone(az(ctx, () => network.publicIPAddresses.beginDeleteAndWait(group, publicIpName(vmName), lro(ctx))));
    await gone(az(ctx, () => compute.disks.beginDeleteAndWait(group, osDiskName(vmName), lro(ctx))));
  }

  return {
    async create(req: CreateVmRequest): Promise<VmInfo> {
      const group = ctx.resourceGroup;
      const name = vmResourceName(req.name, req.clientToken);
      // A repeat with the same token finds the VM of the first call and adopts it.
      const existing = await one(group, name);
      if (existing) return existing;
      const image = parseUrn(req.imageId);
      if (!image) throw new OperationError(`'${req.imageId}' is not an image URN (Publisher:Offer:Sku:Version)`);
      const zones = req.network.zone ? [req.network.zone] : undefined;
      const pip = await az(ctx, () =>
        network.publicIPAddresses.beginCreateOrUpdateAndWait(
          group,
          publicIpName(name),
          { location: ctx.location, tags: req.tags, sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static', ...(zones ? { zones } : {}) },
          lro(ctx),
        ),
      );
      const nic = await az(ctx, () =>
        network.networkInterfaces.beginCreateOrUpdateAndWait(
          group,
          nicName(name),
          { location: ctx.location, tags: req.tags, ipConfigurations: [{ name: 'ipconfig1', subnet: { id: req.network.subnetId }, publicIPAddress: { id: pip.id ?? '' }, primary: true }] },
          lro(ctx),
        ),
      );
      // ARM's answer to the PUT (201, provisioningState Creating) is the VM: with the NIC and public
      // IP just made, it is all a VmInfo needs, so there is no read-back per VM.
      let accepted: VirtualMachine | undefined;
      try {
        // Not waited for: like EC2's pending, the VM is Creating until the instance view says running.
        await az(ctx, () =>
          compute.virtualMachines.beginCreateOrUpdate(
            group,
            name,
            {
              location: ctx.location,
              tags: req.tags,
              ...(zones ? { zones } : {}),
              hardwareProfile: { vmSize: req.spec },
              storageProfile: {
                imageReference: image,
                osDisk: {
                  name: osDiskName(name),
                  createOption: 'FromImage',
                  managedDisk: { storageAccountType: 'StandardSSD_LRS' },
                  deleteOption: 'Delete',
                  ...(req.rootDiskGb ? { diskSizeGB: req.rootDiskGb } : {}),
                },
              },
              osProfile: {
                computerName: name,
                adminUsername: req.sshUser,
                linuxConfiguration: {
                  disablePasswordAuthentication: true,
                  ssh: { publicKeys: [{ path: `/home/${req.sshUser}/.ssh/authorized_keys`, keyData: req.publicKey.trim() }] },
                },
              },
              networkProfile: { networkInterfaces: [{ id: nic.id ?? '', primary: true, deleteOption: 'Delete' }] },
            },
            {
              ...lro(ctx),
              onResponse: (_raw, flat) => {
                const vm = flat as VirtualMachine | undefined;
                if (vm?.id && !accepted) accepted = vm;
              },
            },
          ),
        );
      } catch (e) {
        const made = await one(group, name).catch(() => undefined);
        if (!made) {
          // Refused outright (size not available, quota…): the NIC and IP made for it go too.
          await deleteParts(group, name).catch(() => undefined);
          throw e;
        }
        // Accepted, then failed (AllocationFailed…): the pollers' error carries ARM's code only in
        // its text, the instance view carries it as data. The VM exists, Failed, until terminated.
        const code = made.nativeState.startsWith('failed/') ? made.nativeState.slice('failed/'.length) : undefined;
        if (!code) throw e;
        throw toProviderError({ code, message: `VM ${name} failed to provision: ${(e as Error).message}` }, ctx.secrets);
      }
      if (accepted) return toVmInfo(accepted, undefined, nic, pip);
      const info = await one(group, name);
      if (!info) throw new OperationError(`VM ${name} was accepted but cannot be read back`);
      return info;
    },

    async describe(ids: string[]): Promise<VmInfo[]> {
      const wanted = new Map([...new Set(ids)].map((id) => [lower(id), id]));
      if (wanted.size === 0) return [];
      const groups = [...new Set([...wanted.values()].map((id) => parseArmId(id)?.resourceGroup ?? ctx.resourceGroup))];
      const out: VmInfo[] = [];
      for (const info of await snapshot(groups)) {
        const asked = wanted.get(lower(info.providerId));
        // ARM may spell the group in another case than the id we were given: answer with ours.
        if (asked) out.push({ ...info, providerId: asked });
      }
      return out;
    },

    async findByTags(tags: Tags): Promise<VmInfo[]> {
      return (await snapshot([ctx.resourceGroup])).filter((v) => carries(v.tags, tags));
    },

    async suspend(ids) {
      // Deallocate, not powerOff: a stopped-but-allocated VM still bills for its compute.
      await each(ids, (g, n) => az(ctx, () => compute.virtualMachines.beginDeallocate(g, n, lro(ctx))));
    },

    async resume(ids) {
      await each(ids, (g, n) => az(ctx, () => compute.virtualMachines.beginStart(g, n, lro(ctx))));
    },

    async reboot(ids) {
      await each(ids, (g, n) => az(ctx, () => compute.virtualMachines.beginRestart(g, n, lro(ctx))));
    },

    async terminate(ids) {
      await each(ids, async (g, n) => {
        await gone(az(ctx, () => compute.virtualMachines.beginDeleteAndWait(g, n, lro(ctx))));
        await deleteParts(g, n);
      });
    },
  };
}
