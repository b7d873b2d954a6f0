/**
 * Resource paths and links. The twin stores partial paths (`projects/p/zones/z/instances/n`) and
 * renders links against the address the client used, so following a selfLink stays on loopback.
 * References in requests may be full URLs (Google's or the twin's) or partial paths, as GCE accepts.
 */

export const API_PREFIX = '/compute/v1/';

/** `http://127.0.0.1:PORT/compute/v1/` for the request's Host. */
export function apiBase(host: string | undefined, secure: boolean): string {
  return `${secure ? 'https' : 'http'}://${host ?? '127.0.0.1'}${API_PREFIX}`;
}

export class Links {
  constructor(readonly base: string) {}

  link(path: string): string {
    return `${this.base}${path}`;
  }

  project(p: string): string {
    return this.link(`projects/${p}`);
  }

  zone(p: string, zone: string): string {
    return this.link(`projects/${p}/zones/${zone}`);
  }

  region(p: string, region: string): string {
    return this.link(`projects/${p}/regions/${region}`);
  }
}

export interface ResourceRef {
  project?: string;
  /** `zones/z`, `regions/r` or `global`. */
  scope?: string;
  collection: string;
  name: string;
}

/**
 * Parses a reference: a full URL, `projects/p/…`, `zones/z/…`, `global/…` or `regions/r/…`.
 * Returns undefined if it does not name a resource of `collection`.
 */
export function parseRef(ref: string, collection: string): ResourceRef | undefined {
  let path = ref.trim();
  const at = path.indexOf(API_PREFIX);
  if (/^https?:\/\//.test(path)) {
    if (at < 0) return undefined;
    path = path.slice(at + API_PREFIX.length);
  }
  path = path.replace(/^\/+/, '');
  const parts = path.split('/');
  let project: string | undefined;
  if (parts[0] === 'projects') {
    project = parts[1];
    parts.splice(0, 2);
  }
  let scope: string | undefined;
  if (parts[0] === 'global') {
    scope = 'global';
    parts.shift();
  } else if ((parts[0] === 'zones' || parts[0] === 'regions') && parts[1]) {
    scope = `${parts[0]}/${parts[1]}`;
    parts.splice(0, 2);
  }
  if (parts[0] !== collection) return undefined;
  // Image families: `global/images/family/NAME`.
  const name = parts.slice(1).join('/');
  if (!name || name.includes('//')) return undefined;
  return { ...(project ? { project } : {}), ...(scope ? { scope } : {}), collection, name };
}

/** The last path segment of a link: the resource's name. */
export function lastSegment(link: string): string {
  const parts = link.split('/');
  return parts[parts.length - 1] ?? '';
}

/** RFC 3339 with a -07:00 offset, the way GCE prints timestamps. */
export function gceTime(ms: number): string {
  const shifted = new Date(ms - 7 * 3_600_000).toISOString();
  return `${shifted.slice(0, 23)}-07:00`;
}

/** The fields a stored resource's representation starts with: kind, id, creation time, name, description if any. */
export function resourceHead(
  kind: string,
  r: { id: string; createdAt: number; name: string; description?: string | undefined },
): Record<string, unknown> {
  return {
    kind: `compute#${kind}`,
    id: r.id,
    creationTimestamp: gceTime(r.createdAt),
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
  };
}
