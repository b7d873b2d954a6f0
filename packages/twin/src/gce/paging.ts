/** `maxResults` / `pageToken` / `orderBy` for GCE list calls (default order: by name). */
import { GceError, invalidField } from './errors.js';

export const MAX_RESULTS = 500;

export interface PageRequest {
  maxResults: number;
  offset: number;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function pageRequest(query: URLSearchParams): PageRequest {
  const raw = query.get('maxResults');
  let maxResults = MAX_RESULTS;
  if (raw !== null && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw invalidField('maxResults', raw, 'Must be a non-negative integer.');
    if (n > MAX_RESULTS) throw invalidField('maxResults', raw, `Must be less than or equal to ${MAX_RESULTS}`);
    if (n > 0) maxResults = n;
  }
  const token = query.get('pageToken');
  let offset = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0) throw new Error('bad');
      offset = parsed.o;
    } catch {
      throw invalidField('pageToken', token, 'The page token is invalid.');
    }
  }
  return { maxResults, offset };
}

/** Sorts as `orderBy` asks: `name` (default) or `creationTimestamp desc`. */
export function ordered<T extends { name?: unknown; creationTimestamp?: unknown }>(items: T[], query: URLSearchParams): T[] {
  const orderBy = (query.get('orderBy') ?? 'name').trim();
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const by = (k: 'name' | 'creationTimestamp') => (a: T, b: T) => text(a[k]).localeCompare(text(b[k]));
  if (orderBy === 'name' || orderBy === 'name asc') return [...items].sort(by('name'));
  if (orderBy === 'name desc') return [...items].sort(by('name')).reverse();
  if (orderBy === 'creationTimestamp' || orderBy === 'creationTimestamp asc') return [...items].sort(by('creationTimestamp'));
  if (orderBy === 'creationTimestamp desc') return [...items].sort(by('creationTimestamp')).reverse();
  throw new GceError('invalid', `Invalid value for field 'orderBy': '${orderBy}'. Supported: name, creationTimestamp desc.`);
}

/** One page of `items` and the token for the next, if any. */
export function page<T>(items: readonly T[], req: PageRequest): { items: T[]; nextPageToken?: string } {
  const slice = items.slice(req.offset, req.offset + req.maxResults);
  const next = req.offset + req.maxResults;
  return { items: slice, ...(next < items.length ? { nextPageToken: encodeToken(next) } : {}) };
}
