/**
 * ECS's two paging styles: `PageNumber`/`PageSize` (most Describe calls) and `NextToken`/`MaxResults`
 * (newer ones, and DescribeInstances when a caller passes either).
 */
import { invalid } from './errors.js';
import type { Params } from './wire.js';

export function page<T>(items: readonly T[], p: Params, o: { maxResults: string; max: number }): { items: T[]; nextToken?: string } {
  const max = p.int(o.maxResults, o.max, 1, o.max);
  const token = p.get('NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalid('NextToken', 'not a token this API handed out');
  }
  const slice = items.slice(start, start + max);
  const end = start + slice.length;
  return end < items.length ? { items: slice, nextToken: Buffer.from(String(end)).toString('base64url') } : { items: slice };
}

export function pageNumbered<T>(items: readonly T[], p: Params, defaultSize = 10, maxSize = 100): { items: T[]; fields: Record<string, number> } {
  const pageSize = p.int('PageSize', defaultSize, 1, maxSize);
  const pageNumber = p.int('PageNumber', 1, 1);
  return {
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    fields: { TotalCount: items.length, PageNumber: pageNumber, PageSize: pageSize },
  };
}
