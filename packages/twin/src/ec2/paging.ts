import { Ec2Error } from './errors.js';

export interface PageLimits {
  min: number;
  max: number;
  /** Page size when MaxResults is absent; undefined returns everything. */
  defaultSize?: number;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

const TOKEN_PREFIX = 'cbt1.';

/**
 * One page of `items` (already in listing order). The NextToken names the position after the
 * last item returned, so pages stay consistent while new resources are created.
 */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limits: PageLimits,
  position: (item: T) => number,
): Page<T> {
  if (maxResults !== undefined && (maxResults < limits.min || maxResults > limits.max)) {
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const after = decodeToken(nextToken);
    start = items.findIndex((i) => position(i) > after);
    if (start < 0) start = items.length;
  }
  const size = maxResults ?? limits.defaultSize;
  if (size === undefined) return { items: items.slice(start) };
  const slice = items.slice(start, start + size);
  const last = slice[slice.length - 1];
  const more = start + size < items.length && last !== undefined;
  return more ? { items: slice, nextToken: encodeToken(position(last)) } : { items: slice };
}

function encodeToken(pos: number): string {
  return TOKEN_PREFIX + Buffer.from(String(pos)).toString('base64url');
}

function decodeToken(token: string): number {
  if (token.startsWith(TOKEN_PREFIX)) {
    const n = Number(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString());
    if (Number.isInteger(n) && n >= 0) return n;
  }
  throw new Ec2Error('InvalidPaginationToken', `The pagination token '${token}' is invalid.`);
}
