/**
 * Glance v2: the region's public images with their `os_distro`/`os_version` properties, filtered
 * by any property the query names and paged by limit/marker (`next` link), as Glance does.
 */
import { createHash } from 'node:crypto';
import { imagesOf, loginUserOf, type GlanceImage } from './catalog.js';
import { route, type OsCtx, type OsResponse, type OsRoute } from './context.js';
import { badRequest, OsError } from './errors.js';

const ADMIN_PROJECT = '5c2f8b4e0a9d4d6f8e1b7a3c9d0e2f41';

function imageView(i: GlanceImage): Record<string, unknown> {
  const hash = createHash('sha512').update(i.id).digest('hex');
  return {
    id: i.id,
    name: i.name,
    status: 'active',
    visibility: 'public',
    protected: false,
    os_hidden: false,
    owner: ADMIN_PROJECT,
    container_format: 'bare',
    disk_format: 'qcow2',
    size: i.size,
    virtual_size: i.size * 4,
    min_disk: i.min_disk,
    min_ram: 0,
    checksum: createHash('md5').update(i.id).digest('hex'),
    os_hash_algo: 'sha512',
    os_hash_value: hash,
    os_distro: i.os_distro,
    os_version: i.os_version,
    architecture: i.architecture,
    os_admin_user: loginUserOf(i),
    hw_disk_bus: 'virtio',
    tags: [],
    created_at: i.created_at,
    updated_at: i.created_at,
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  };
}

const PAGING = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'member_status']);

function listImages(ctx: OsCtx): OsResponse {
  let items = imagesOf(ctx.region.name).map(imageView);
  for (const key of new Set(ctx.query.keys())) {
    if (PAGING.has(key)) continue;
    const want = ctx.query.get(key) ?? '';
    // Glance's `in:` operator for lists of values; plain equality otherwise.
    const values = want.startsWith('in:') ? want.slice(3).split(',') : [want];
    items = items.filter((i) => values.includes(typeof i[key] === 'string' ? i[key] : JSON.stringify(i[key] ?? '')));
  }
  const marker = ctx.query.get('marker');
  if (marker) {
    const at = items.findIndex((i) => i.id === marker);
    if (at < 0) throw badRequest('image', `marker could not be found: ${marker}`);
    items = items.slice(at + 1);
  }
  const limit = Number(ctx.query.get('limit') ?? 25);
  const page = items.slice(0, limit);
  const next = items.length > page.length ? `/v2/images?limit=${limit}&marker=${String(page[page.length - 1]!.id)}` : undefined;
  return { status: 200, body: { images: page, first: '/v2/images', schema: '/v2/schemas/images', ...(next ? { next } : {}) } };
}

export function glanceVersions(base: string) {
  return { versions: ['2.16', '2.15', '2.9'].map((v, i) => ({ id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href: `${base}/v2/` }] })) };
}

export const GLANCE_ROUTES: OsRoute[] = [
  route('GET', 'images', 'images.list', 'get_images', listImages),
  route('GET', 'images/{id}', 'images.get', 'get_image', (ctx) => {
    const i = imagesOf(ctx.region.name).find((x) => x.id === ctx.p.id);
    if (!i) throw new OsError('image', 404, `No image found with ID ${ctx.p.id}`);
    return { status: 200, body: imageView(i) };
  }),
  route('GET', 'schemas/image', 'schemas.get', 'get_images', () => ({ status: 200, body: { name: 'image', properties: {}, additionalProperties: { type: 'string' }, links: [] } })),
];
