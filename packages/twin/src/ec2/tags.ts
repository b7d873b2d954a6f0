import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import type { Ctx } from './context.js';
import type { RegionData, Tag } from './model.js';
import { paginate } from './paging.js';
import { readTags } from './query.js';
import { el, items, type XmlChild } from './xml.js';

const MAX_TAGS = 50;

export function tagSet(tags: readonly Tag[]): XmlChild {
  return items('tagSet', tags, (t) => [el('key', t.key), el('value', t.value)]);
}

/** Sets tags (replacing values of existing keys). EC2 allows 50 tags per resource. */
export function putTags(target: Tag[], add: readonly Tag[]): void {
  const keys = new Set([...target.map((t) => t.key), ...add.map((t) => t.key)]);
  if (keys.size > MAX_TAGS) {
    throw new Ec2Error('TagLimitExceeded', `The maximum number of Tags for a resource has been reached (${MAX_TAGS}).`);
  }
  for (const t of add) {
    const existing = target.find((x) => x.key === t.key);
    if (existing) existing.value = t.value;
    else target.push({ key: t.key, value: t.value });
  }
}

interface Taggable {
  resourceId: string;
  resourceType: string;
  tags: Tag[];
  seq: number;
}

/** Every taggable resource of the region, in creation order. */
function taggables(region: RegionData): Taggable[] {
  const out: Taggable[] = [];
  const add = (resourceType: string, m: Map<string, { id: string; tags: Tag[]; seq: number }>) => {
    for (const r of m.values()) out.push({ resourceId: r.id, resourceType, tags: r.tags, seq: r.seq });
  };
  add('vpc', region.vpcs);
  add('subnet', region.subnets);
  add('internet-gateway', region.internetGateways);
  add('route-table', region.routeTables);
  add('security-group', region.securityGroups);
  add('key-pair', region.keyPairs);
  for (const i of region.instances.values()) {
    out.push({ resourceId: i.id, resourceType: 'instance', tags: i.tags, seq: i.seq });
    if (i.state === 'terminated') continue;
    out.push({ resourceId: i.eni.id, resourceType: 'network-interface', tags: i.eni.tags, seq: i.seq });
    for (const v of i.volumes) out.push({ resourceId: v.id, resourceType: 'volume', tags: v.tags, seq: i.seq });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

const NOT_FOUND: Record<string, [code: string, noun: string]> = {
  vpc: ['InvalidVpcID.NotFound', 'vpc'],
  subnet: ['InvalidSubnetID.NotFound', 'subnet'],
  igw: ['InvalidInternetGatewayID.NotFound', 'internetGateway'],
  rtb: ['InvalidRouteTableID.NotFound', 'routeTable'],
  sg: ['InvalidGroup.NotFound', 'security group'],
  key: ['InvalidKeyPair.NotFound', 'key pair'],
  i: ['InvalidInstanceID.NotFound', 'instance'],
  vol: ['InvalidVolume.NotFound', 'volume'],
  eni: ['InvalidNetworkInterfaceID.NotFound', 'network interface'],
};

function findTaggable(region: RegionData, id: string): Taggable {
  const found = taggables(region).find((t) => t.resourceId === id);
  if (found) return found;
  const prefix = id.split('-')[0] ?? '';
  const nf = NOT_FOUND[prefix];
  if (!nf || !/^[a-z]+-[0-9a-f]+$/.test(id)) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
  throw err.notFound(nf[0], nf[1], [id]);
}

export function createTags(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('ResourceId');
  if (ids.length === 0) throw err.missing('ResourceId');
  const tags = readTags(ctx.params.structs('Tag'));
  if (tags.length === 0) throw err.missing('Tag');
  const targets = ids.map((id) => findTaggable(ctx.region, id));
  for (const t of targets) putTags(t.tags.map((x) => ({ ...x })), tags); // a dry run: all or nothing
  for (const t of targets) putTags(t.tags, tags);
  ctx.env.changed();
  return [el('return', true)];
}

export function deleteTags(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('ResourceId');
  if (ids.length === 0) throw err.missing('ResourceId');
  const specs = ctx.params.structs('Tag').map((t) => ({ key: t.req('Key'), value: t.str('Value') }));
  const targets = ids.map((id) => findTaggable(ctx.region, id));
  for (const t of targets) {
    const keep = t.tags.filter((tag) =>
      specs.length === 0
        ? false
        : !specs.some((s) => s.key === tag.key && (s.value === undefined || s.value === tag.value)),
    );
    t.tags.splice(0, t.tags.length, ...keep);
  }
  ctx.env.changed();
  return [el('return', true)];
}

export function describeTags(ctx: Ctx): XmlChild[] {
  // Position = seq * 10000 + row within that seq (an instance, its ENI and volumes share a seq).
  const rows: (Taggable & { key: string; value: string; pos: number })[] = [];
  let lastSeq = -1;
  let k = 0;
  for (const t of taggables(ctx.region)) {
    if (t.seq !== lastSeq) [lastSeq, k] = [t.seq, 0];
    for (const tag of t.tags) rows.push({ ...t, key: tag.key, value: tag.value, pos: t.seq * 10_000 + k++, tags: [] });
  }
  const filtered = applyFilters(rows, ctx.params.filters(), {
    key: (r) => r.key,
    value: (r) => r.value,
    'resource-id': (r) => r.resourceId,
    'resource-type': (r) => r.resourceType,
  });
  const page = paginate(
    filtered,
    ctx.params.int('MaxResults'),
    ctx.params.str('NextToken'),
    { min: 5, max: 1000 },
    (r) => r.pos,
  );
  return [
    items('tagSet', page.items, (r) => [
      el('resourceId', r.resourceId),
      el('resourceType', r.resourceType),
      el('key', r.key),
      el('value', r.value),
    ]),
    el('nextToken', page.nextToken),
  ];
}
