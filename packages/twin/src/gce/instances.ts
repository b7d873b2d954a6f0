/**
 * Instances: insert, get, list, aggregatedList, stop, start, reset, delete, setLabels, setMetadata, setTags.
 * Status comes from the shared VM lifecycle: pending → PROVISIONING then STAGING, running →
 * RUNNING, stopping and shutting-down → STOPPING, stopped → TERMINATED (GCE's word for stopped);
 * a deleted instance disappears once its VM is gone.
 */
import { machineTypesIn } from '../data/gcp.js';
import { aggregatedResponse, findImage, imagePath, listResponse, zoneRegion, zoneScopes } from './catalog.js';
import type { GceCtx, GceHandler, OperationTarget } from './context.js';
import { alreadyExists, GceError, invalidField, notFound, notReady, requiredField } from './errors.js';
import { fingerprintOf } from './fingerprint.js';
import { gceTime, parseRef, resourceHead, type Links } from './links.js';
import { instanceKey, instancePath, networkPath, subnetworkPath, type GceInstance, type MetadataItem } from './model.js';
import { checkName } from './fields.js';
import { allocateIp, findSubnetwork } from './networks.js';
import { sshLoginFrom } from './ssh-keys.js';
import { newBacking } from '../vm/backing.js';

/** Users nobody can log in as: a VM without usable ssh-keys still gets an SSH server. */
const NO_LOGIN_USER = 'root';

export function gceStatus(i: GceInstance, now: number, bootDelayMs: number): string {
  switch (i.vm.state) {
    case 'pending':
      // The first half of boot is PROVISIONING (resources allocated), the rest STAGING.
      return (i.vm.dueAt ?? now) - now > bootDelayMs / 2 ? 'PROVISIONING' : 'STAGING';
    case 'running':
      return 'RUNNING';
    case 'stopping':
    case 'shutting-down':
      return 'STOPPING';
    case 'stopped':
      return 'TERMINATED';
    case 'terminated':
      return 'TERMINATED';
  }
}

export function renderInstance(links: Links, project: string, i: GceInstance, status: string): Record<string, unknown> {
  const zoneLink = links.zone(project, i.zone);
  return {
    ...resourceHead('instance', i),
    tags: { ...(i.tags.length ? { items: i.tags } : {}), fingerprint: i.tagsFingerprint },
    machineType: `${zoneLink}/machineTypes/${i.machineType}`,
    status,
    zone: zoneLink,
    canIpForward: false,
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        network: links.link(networkPath(project, i.network)),
        subnetwork: links.link(subnetworkPath(project, i.region, i.subnetwork)),
        networkIP: i.networkIP,
        name: 'nic0',
        ...(i.externalAccess
          ? {
              accessConfigs: [
                {
                  kind: 'compute#accessConfig',
                  type: 'ONE_TO_ONE_NAT',
                  name: 'External NAT',
                  // An ephemeral address exists only while the instance has one (not when TERMINATED).
                  ...(i.vm.publicIp && status !== 'TERMINATED' && status !== 'PROVISIONING' ? { natIP: i.vm.publicIp } : {}),
                  networkTier: 'PREMIUM',
                },
              ],
            }
          : {}),
        fingerprint: fingerprintOf(`${i.id}/nic0`),
        stackType: 'IPV4_ONLY',
      },
    ],
    disks: [
      {
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        source: `${zoneLink}/disks/${i.diskName}`,
        deviceName: 'persistent-disk-0',
        index: 0,
        boot: true,
        autoDelete: true,
        licenses: i.licenses.map((l) => links.link(l)),
        interface: 'SCSI',
        guestOsFeatures: [{ type: 'VIRTIO_SCSI_MULTIQUEUE' }, { type: 'UEFI_COMPATIBLE' }, { type: 'GVNIC' }],
        diskSizeGb: String(i.diskSizeGb),
        architecture: i.architecture,
      },
    ],
    metadata: {
      kind: 'compute#metadata',
      fingerprint: i.metadataFingerprint,
      ...(i.metadata.length ? { items: i.metadata } : {}),
    },
    ...(i.serviceAccounts.length ? { serviceAccounts: i.serviceAccounts } : {}),
    selfLink: links.link(instancePath(project, i)),
    selfLinkWithId: `${zoneLink}/instances/${i.id}`,
    scheduling: i.scheduling,
    cpuPlatform: status === 'RUNNING' ? 'Intel Broadwell' : 'Unknown CPU Platform',
    ...(Object.keys(i.labels).length ? { labels: i.labels } : {}),
    labelFingerprint: i.labelFingerprint,
    startRestricted: false,
    deletionProtection: i.deletionProtection,
    shieldedInstanceConfig: { enableSecureBoot: false, enableVtpm: true, enableIntegrityMonitoring: true },
    shieldedInstanceIntegrityPolicy: { updateAutoLearnPolicy: true },
    fingerprint: fingerprintOf(`${i.id}/${status}/${i.labelFingerprint}/${i.metadataFingerprint}`),
    ...(i.lastStartTimestamp !== undefined ? { lastStartTimestamp: gceTime(i.lastStartTimestamp) } : {}),
    ...(i.lastStopTimestamp !== undefined ? { lastStopTimestamp: gceTime(i.lastStopTimestamp) } : {}),
  };
}

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function checkLabels(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidField(field, JSON.stringify(v), 'Must be a map of labels.');
  const labels = v as Record<string, unknown>;
  if (Object.keys(labels).length > 64) throw invalidField(field, '', 'A resource can have at most 64 labels.');
  for (const [k, val] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) {
      throw invalidField(`${field}.${k}`, k, 'Label keys must start with a lowercase letter and contain only lowercase letters, digits, underscores and dashes (at most 63).');
    }
    if (typeof val !== 'string' || !LABEL_VALUE.test(val)) {
      throw invalidField(`${field}.${k}`, String(val), 'Label values must contain only lowercase letters, digits, underscores and dashes (at most 63).');
    }
  }
  return labels as Record<string, string>;
}

function checkMetadata(v: unknown, field: string): MetadataItem[] {
  if (v === undefined || v === null) return [];
  const items = (v as { items?: unknown }).items;
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw invalidField(`${field}.items`, JSON.stringify(items), 'Must be a list.');
  const seen = new Set<string>();
  return items.map((raw: unknown, n) => {
    const it = (raw ?? {}) as { key?: unknown; value?: unknown };
    if (typeof it.key !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(it.key)) throw invalidField(`${field}.items[${n}].key`, it.key, 'Must be 1-128 letters, digits, dashes or underscores.');
    if (seen.has(it.key)) throw invalidField(`${field}.items[${n}].key`, it.key, 'Duplicate metadata key.');
    seen.add(it.key);
    return { key: it.key, value: typeof it.value === 'string' ? it.value : '' };
  });
}

function findInstance(ctx: GceCtx): GceInstance {
  const zone = ctx.params.zone ?? '';
  zoneRegion(zone);
  const name = ctx.params.instance ?? '';
  const i = ctx.project.instances.get(instanceKey(zone, name));
  if (!i) throw notFound(instancePath(ctx.project.id, { zone, name }));
  return i;
}

function target(ctx: GceCtx, i: GceInstance): OperationTarget {
  return { target: instancePath(ctx.project.id, i), targetId: i.id };
}

function applySshLogin(i: GceInstance): void {
  const login = sshLoginFrom(i.metadata);
  i.vm.sshUser = login?.user ?? NO_LOGIN_USER;
  i.vm.authorizedKeys = login?.keys ?? [];
}

function resolveNetwork(ctx: GceCtx, zoneRegionName: string, nic: Record<string, unknown>): { network: string; subnetwork: string } {
  const p = ctx.project;
  if (nic.subnetwork !== undefined) {
    const ref = typeof nic.subnetwork === 'string' ? parseRef(nic.subnetwork, 'subnetworks') : undefined;
    if (!ref || (ref.project && ref.project !== p.id)) {
      throw invalidField('resource.networkInterfaces[0].subnetwork', nic.subnetwork, 'Must be a URL to a valid subnetwork.');
    }
    const region = ref.scope?.startsWith('regions/') ? ref.scope.slice('regions/'.length) : zoneRegionName;
    if (region !== zoneRegionName) {
      throw invalidField('resource.networkInterfaces[0].subnetwork', nic.subnetwork, 'Subnetwork must be in the same region as the instance.');
    }
    const s = findSubnetwork(ctx, region, ref.name);
    if (nic.network !== undefined) {
      const netRef = typeof nic.network === 'string' ? parseRef(nic.network, 'networks') : undefined;
      if (!netRef || netRef.name !== s.network) {
        throw invalidField('resource.networkInterfaces[0].network', nic.network, `Subnetwork '${s.name}' does not belong to this network.`);
      }
    }
    return { network: s.network, subnetwork: s.name };
  }
  const netRef = nic.network === undefined ? { name: 'default' } : typeof nic.network === 'string' ? parseRef(nic.network, 'networks') : undefined;
  if (!netRef) throw invalidField('resource.networkInterfaces[0].network', nic.network, 'Must be a URL to a valid network.');
  const net = p.networks.get(netRef.name);
  if (!net) throw notFound(networkPath(p.id, netRef.name));
  if (!net.autoCreateSubnetworks) {
    throw invalidField('resource.networkInterfaces[0].subnetwork', '', 'Subnetwork should be specified for custom subnetmode network');
  }
  return { network: net.name, subnetwork: findSubnetwork(ctx, zoneRegionName, net.name).name };
}

const insert: GceHandler = (ctx) => {
  const p = ctx.project;
  const zone = ctx.params.zone ?? '';
  const region = zoneRegion(zone);
  const b = ctx.body;
  const name = checkName(b.name);
  if (p.instances.has(instanceKey(zone, name))) throw alreadyExists(instancePath(p.id, { zone, name }));

  if (typeof b.machineType !== 'string' || !b.machineType) throw requiredField('resource.machineType');
  const mtRef = parseRef(b.machineType, 'machineTypes');
  if (!mtRef || (mtRef.scope && mtRef.scope !== `zones/${zone}`)) {
    throw invalidField('resource.machineType', b.machineType, 'Must be a URL to a valid Compute resource of the correct type (zones/ZONE/machineTypes/NAME).');
  }
  const machineType = machineTypesIn(region.name).find((m) => m.name === mtRef.name);
  if (!machineType) {
    throw invalidField('resource.machineType', b.machineType, `Machine type with name '${mtRef.name}' does not exist in zone '${zone}'.`);
  }

  const disks = Array.isArray(b.disks) ? (b.disks as Record<string, unknown>[]) : [];
  const boot = disks.find((d) => d?.boot === true) ?? disks[0];
  if (!boot) throw new GceError('invalid', "Invalid value for field 'resource.disks': ''. Boot disk must be specified.");
  const init = (boot.initializeParams ?? {}) as Record<string, unknown>;
  if (typeof init.sourceImage !== 'string' || !init.sourceImage) {
    throw requiredField('resource.disks[0].initializeParams.sourceImage');
  }
  const imgRef = parseRef(init.sourceImage, 'images');
  if (!imgRef) throw invalidField('resource.disks[0].initializeParams.sourceImage', init.sourceImage, 'Must be a URL to a valid image.');
  const imageProject = imgRef.project ?? p.id;
  const image = findImage(imageProject, imgRef.name);
  if (!image) throw notFound(`projects/${imageProject}/global/images/${imgRef.name}`);
  if (image.architecture !== machineType.architecture) {
    throw new GceError('invalid', `Invalid value for field 'resource.disks[0].initializeParams.sourceImage': '${init.sourceImage}'. The image architecture ${image.architecture} does not match the machine type architecture ${machineType.architecture}.`);
  }
  // GPUs cannot be live-migrated: GCE refuses them unless host maintenance terminates the VM.
  const onHostMaintenance = (b.scheduling as { onHostMaintenance?: unknown } | undefined)?.onHostMaintenance ?? 'MIGRATE';
  if (machineType.accelerators?.length && onHostMaintenance !== 'TERMINATE') {
    throw new GceError('badRequest', 'Instances with guest accelerators do not support live migration.');
  }
  const diskSizeGb = init.diskSizeGb === undefined ? image.diskSizeGb : Number(init.diskSizeGb);
  if (!Number.isInteger(diskSizeGb) || diskSizeGb < image.diskSizeGb || diskSizeGb > 65536) {
    throw new GceError('invalid', `Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '${String(init.diskSizeGb)}'. Requested disk size cannot be smaller than the image size (${image.diskSizeGb} GB)`);
  }
  const diskType = typeof init.diskType === 'string' ? (parseRef(init.diskType, 'diskTypes')?.name ?? 'pd-standard') : 'pd-standard';

  const nics = Array.isArray(b.networkInterfaces) ? (b.networkInterfaces as Record<string, unknown>[]) : [{}];
  const nic = nics[0] ?? {};
  const { network, subnetwork } = resolveNetwork(ctx, region.name, nic);
  const accessConfigs = Array.isArray(nic.accessConfigs) ? (nic.accessConfigs as Record<string, unknown>[]) : [];
  const externalAccess = accessConfigs.some((a) => (a?.type ?? 'ONE_TO_ONE_NAT') === 'ONE_TO_ONE_NAT');

  const labels = checkLabels(b.labels, 'resource.labels');
  const metadata = checkMetadata(b.metadata, 'resource.metadata');
  const tags = Array.isArray((b.tags as { items?: unknown } | undefined)?.items) ? ((b.tags as { items: unknown[] }).items.map(String)) : [];
  const id = ctx.env.nextId();
  const now = ctx.env.now();
  const vm = newBacking(ctx.env.lifecycle, { id: `gce-${id}`, sshUser: NO_LOGIN_USER, assignPublicIp: externalAccess, nodeRuntime: image.nodeRuntime });
  const inst: GceInstance = {
    id,
    name,
    ...(typeof b.description === 'string' && b.description ? { description: b.description } : {}),
    createdAt: now,
    zone,
    region: region.name,
    machineType: machineType.name,
    sourceImage: imagePath(image),
    diskSizeGb,
    diskType,
    diskName: typeof init.diskName === 'string' && init.diskName ? init.diskName : name,
    architecture: image.architecture,
    licenses: image.licenses,
    network,
    subnetwork,
    networkIP: allocateIp(p, findSubnetwork(ctx, region.name, subnetwork)),
    externalAccess,
    labels,
    labelFingerprint: fingerprintOf(labels),
    metadata,
    metadataFingerprint: fingerprintOf(metadata),
    tags,
    tagsFingerprint: fingerprintOf(tags),
    serviceAccounts: Array.isArray(b.serviceAccounts) ? (b.serviceAccounts as unknown[]) : [],
    scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD', ...((b.scheduling as Record<string, unknown> | undefined) ?? {}) },
    deletionProtection: b.deletionProtection === true,
    lastStartTimestamp: now,
    vm,
  };
  applySshLogin(inst);
  p.instances.set(instanceKey(zone, name), inst);
  ctx.env.lifecycle.launch(p, vm);
  return { ...target(ctx, inst), goal: { kind: 'instance', key: instanceKey(zone, name), until: 'running' } };
};

const status = (ctx: GceCtx, i: GceInstance) => gceStatus(i, ctx.env.now(), ctx.env.bootDelayMs);

const get: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  return renderInstance(ctx.links, ctx.project.id, i, status(ctx, i));
};

const list: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  zoneRegion(zone);
  return listResponse(
    ctx,
    'compute#instanceList',
    `projects/${ctx.project.id}/zones/${zone}/instances`,
    [...ctx.project.instances.values()].filter((i) => i.zone === zone).map((i) => renderInstance(ctx.links, ctx.project.id, i, status(ctx, i))),
  );
};

const aggregatedList: GceHandler = (ctx) =>
  aggregatedResponse(
    ctx,
    'instances',
    zoneScopes(),
    (scope) =>
      [...ctx.project.instances.values()]
        .filter((i) => `zones/${i.zone}` === scope)
        .map((i) => renderInstance(ctx.links, ctx.project.id, i, status(ctx, i))),
  );

const stop: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  const key = instanceKey(i.zone, i.name);
  if (i.vm.state === 'shutting-down') throw notReady(instancePath(ctx.project.id, i));
  if (i.vm.state === 'pending' || i.vm.state === 'running') {
    ctx.env.lifecycle.stop(ctx.project, i.vm);
    i.lastStopTimestamp = ctx.env.now();
  }
  return { ...target(ctx, i), goal: { kind: 'instance', key, until: 'stopped' } };
};

const start: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  const key = instanceKey(i.zone, i.name);
  if (i.vm.state === 'stopping' || i.vm.state === 'shutting-down') throw notReady(instancePath(ctx.project.id, i));
  if (i.vm.state === 'stopped') {
    ctx.env.lifecycle.start(ctx.project, i.vm);
    i.lastStartTimestamp = ctx.env.now();
  }
  return { ...target(ctx, i), goal: { kind: 'instance', key, until: 'running' } };
};

const reset: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  if (i.vm.state !== 'running') throw notReady(instancePath(ctx.project.id, i));
  ctx.env.lifecycle.reboot(ctx.project, i.vm);
  return target(ctx, i);
};

const remove: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  if (i.deletionProtection) {
    throw new GceError('invalid', "Invalid resource usage: 'Resource cannot be deleted if it's protected against deletion.'.");
  }
  if (i.vm.state !== 'shutting-down') ctx.env.lifecycle.terminate(ctx.project, i.vm);
  return { ...target(ctx, i), goal: { kind: 'instance', key: instanceKey(i.zone, i.name), until: 'gone' } };
};

function checkFingerprint(given: unknown, current: string, field: string, what: string): void {
  if (given === undefined || given === '') throw requiredField(field);
  if (given !== current) {
    throw new GceError('conditionNotMet', `Supplied fingerprint does not match current ${what} fingerprint.`, 412, { location: 'If-Match', locationType: 'header' });
  }
}

const setLabels: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  checkFingerprint(ctx.body.labelFingerprint, i.labelFingerprint, 'labelFingerprint', 'labels');
  i.labels = checkLabels(ctx.body.labels, 'labels');
  i.labelFingerprint = fingerprintOf(i.labels);
  return target(ctx, i);
};

/** Network tags (what firewall rules target): replaced whole, guarded by the tags fingerprint. */
const setTags: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  checkFingerprint(ctx.body.fingerprint, i.tagsFingerprint, 'fingerprint', 'tags');
  const items = ctx.body.items === undefined ? [] : ctx.body.items;
  if (!Array.isArray(items) || items.some((t) => typeof t !== 'string' || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(t))) {
    throw invalidField('tags.items', JSON.stringify(items), 'Must be a list of RFC1035 names.');
  }
  i.tags = [...new Set(items as string[])];
  i.tagsFingerprint = fingerprintOf(i.tags);
  return target(ctx, i);
};

/** New ssh-keys take effect when the VM's SSH server next starts (start or reset). */
const setMetadata: GceHandler = (ctx) => {
  const i = findInstance(ctx);
  checkFingerprint(ctx.body.fingerprint, i.metadataFingerprint, 'fingerprint', 'metadata');
  i.metadata = checkMetadata(ctx.body, 'metadata');
  i.metadataFingerprint = fingerprintOf(i.metadata);
  applySshLogin(i);
  return target(ctx, i);
};

export const INSTANCE_HANDLERS = { insert, get, list, aggregatedList, stop, start, reset, remove, setLabels, setMetadata, setTags };
