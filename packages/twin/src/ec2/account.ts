/**
 * Read calls that general EC2 clients (Apache Libcloud, Terraform, the console's SDKs) make on
 * start or around instances, answered from what the twin has: the account's attributes, its
 * Elastic IPs (none: the twin gives each VM a public IP, and has no AllocateAddress), and the EBS
 * volumes its instances were launched with.
 */
import type { Ctx } from './context.js';
import { err, Ec2Error } from './errors.js';
import { applyFilters } from './filters.js';
import type { Instance, Volume } from './model.js';
import { tagSet } from './tags.js';
import { el, isoTime, items, type XmlChild } from './xml.js';

/** The account's limits as a new AWS account has them, and the region's default VPC. */
function accountAttributes(ctx: Ctx): Array<[string, string[]]> {
  return [
    ['supported-platforms', ['VPC']],
    ['default-vpc', [ctx.region.defaultVpcId ?? 'none']],
    ['max-instances', ['20']],
    ['vpc-max-security-groups-per-interface', ['5']],
    ['max-elastic-ips', ['5']],
    ['vpc-max-elastic-ips', ['5']],
  ];
}

export function describeAccountAttributes(ctx: Ctx): XmlChild[] {
  const asked = ctx.params.list('AttributeName');
  const all = accountAttributes(ctx);
  for (const name of asked) {
    if (!all.some(([n]) => n === name)) throw err.invalidValue('AttributeName', name);
  }
  const shown = asked.length ? all.filter(([n]) => asked.includes(n)) : all;
  return [
    items('accountAttributeSet', shown, ([name, values]) => [
      el('attributeName', name),
      items('attributeValueSet', values, (v) => [el('attributeValue', v)]),
    ]),
  ];
}

const ADDRESS_FILTERS = new Set(['allocation-id', 'association-id', 'domain', 'instance-id', 'network-border-group', 'network-interface-id', 'network-interface-owner-id', 'private-ip-address', 'public-ip', 'tag-key']);

export function describeAddresses(ctx: Ctx): XmlChild[] {
  for (const f of ctx.params.filters()) {
    if (!ADDRESS_FILTERS.has(f.name) && !f.name.startsWith('tag:')) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
  // No Elastic IPs exist, so any one asked for by address or allocation is unknown.
  const ips = ctx.params.list('PublicIp');
  if (ips.length) throw new Ec2Error('InvalidAddress.NotFound', `Address '${ips[0]}' not found.`);
  const allocations = ctx.params.list('AllocationId');
  if (allocations.length) throw new Ec2Error('InvalidAllocationID.NotFound', `The allocation ID '${allocations[0]}' does not exist`);
  return [items('addressesSet', [], () => [])];
}

type VolumeRow = Volume & { instance: Instance };

function volumeRows(ctx: Ctx): VolumeRow[] {
  return [...ctx.region.instances.values()]
    .filter((i) => i.state !== 'terminated')
    .sort((a, b) => a.seq - b.seq)
    .flatMap((instance) => instance.volumes.map((v) => ({ ...v, instance })));
}

export function describeVolumes(ctx: Ctx): XmlChild[] {
  const all = volumeRows(ctx);
  const ids = ctx.params.list('VolumeId');
  const missing = ids.filter((id) => !all.some((v) => v.id === id));
  if (missing.length) throw err.notFound('InvalidVolume.NotFound', 'volume', missing);
  const wanted = ids.length ? all.filter((v) => ids.includes(v.id)) : all;
  const shown = applyFilters(wanted, ctx.params.filters(), {
    'volume-id': (v) => v.id,
    'attachment.instance-id': (v) => v.instance.id,
    'attachment.device': (v) => v.deviceName,
    'attachment.status': () => 'attached',
    'attachment.delete-on-termination': (v) => v.deleteOnTermination,
    'availability-zone': (v) => v.instance.az,
    size: (v) => v.sizeGiB,
    status: () => 'in-use',
    'volume-type': (v) => v.volumeType,
    encrypted: () => false,
  });
  return [
    items('volumeSet', shown, (v) => [
      el('volumeId', v.id),
      el('size', v.sizeGiB),
      el('snapshotId', ''),
      el('availabilityZone', v.instance.az),
      el('status', 'in-use'),
      el('createTime', isoTime(v.attachTime)),
      items('attachmentSet', [v], (a) => [
        el('volumeId', a.id),
        el('instanceId', a.instance.id),
        el('device', a.deviceName),
        el('status', 'attached'),
        el('attachTime', isoTime(a.attachTime)),
        el('deleteOnTermination', a.deleteOnTermination),
      ]),
      tagSet(v.tags),
      el('volumeType', v.volumeType),
      el('encrypted', false),
      el('multiAttachEnabled', false),
    ]),
  ];
}

