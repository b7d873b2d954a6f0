/** The VM model of a create request, read and checked with the errors ARM gives for each field. */
import { randomUUID } from 'node:crypto';
import { azureSizesIn, DISALLOWED_ADMIN_USERS, findAzureImageSku, findAzureRegion, findAzureVmSize } from '../data/azure.js';
import { parsePublicKey } from '../ec2/keys.js';
import { type ArmCtx, arr, obj, param, props, sameText, str } from './context.js';
import { ArmError, invalidParameter } from './errors.js';
import { type DeleteOption, idOf, resourceId, TYPES, type VirtualMachine, type VmNic } from './model.js';

function deleteOption(v: unknown): DeleteOption {
  return v === 'Delete' ? 'Delete' : 'Detach';
}

export interface Parsed {
  vmSize: string;
  image: VirtualMachine['image'];
  imageArch: string;
  osDisk: Omit<VirtualMachine['osDisk'], 'id'>;
  osProfile: VirtualMachine['osProfile'];
  nics: VmNic[];
  zones?: string[];
}

/** Reads and checks the VM model of a create request, with the errors ARM gives for each field. */
export function parseModel(ctx: ArmCtx, name: string, loc: string): Parsed {
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
