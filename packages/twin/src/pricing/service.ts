/**
 * AWS Price List Query API (`AWSPriceListService`, JSON 1.1): GetProducts with TERM_MATCH, EQUALS,
 * CONTAINS, ANY_OF and NONE_OF filters, MaxResults and NextToken paging, and PriceList items as
 * JSON strings, as the real service answers; DescribeServices for the services it knows.
 */
import { createHash } from 'node:crypto';
import { ec2Products, type PriceListItem } from './products.js';

export class PricingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Filter {
  Type: string;
  Field: string;
  Value: string;
}

const SERVICES: Record<string, () => readonly PriceListItem[]> = { AmazonEC2: ec2Products };
const MAX_RESULTS = 100;

function str(x: unknown, field: string, required: boolean): string | undefined {
  if (x === undefined && !required) return undefined;
  if (typeof x !== 'string' || (required && x === '')) throw new PricingError('InvalidParameterException', `Input parameter ${field} is invalid`);
  return x;
}

function parseFilters(x: unknown): Filter[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) throw new PricingError('InvalidParameterException', 'Input parameter Filters is invalid');
  return x.map((f: unknown, i) => {
    const o = (f ?? {}) as Record<string, unknown>;
    const type = str(o.Type, `Filters[${i}].Type`, true)!;
    if (!['TERM_MATCH', 'EQUALS', 'CONTAINS', 'ANY_OF', 'NONE_OF'].includes(type)) {
      throw new PricingError('InvalidParameterException', `1 validation error detected: Value '${type}' at 'filters.${i + 1}.member.type' failed to satisfy constraint: Member must satisfy enum value set: [TERM_MATCH, EQUALS, CONTAINS, ANY_OF, NONE_OF]`);
    }
    return { Type: type, Field: str(o.Field, `Filters[${i}].Field`, true)!, Value: str(o.Value, `Filters[${i}].Value`, true)! };
  });
}

function fieldOf(p: PriceListItem, field: string): string | undefined {
  if (field === 'ServiceCode') return p.serviceCode;
  if (field === 'sku') return p.product.sku;
  if (field === 'productFamily') return p.product.productFamily;
  return p.product.attributes[field];
}

function matches(p: PriceListItem, f: Filter): boolean {
  const v = fieldOf(p, f.Field);
  switch (f.Type) {
    case 'TERM_MATCH':
      return v !== undefined && v.toLowerCase() === f.Value.toLowerCase();
    case 'EQUALS':
      return v === f.Value;
    case 'CONTAINS':
      return v !== undefined && v.includes(f.Value);
    case 'ANY_OF':
      return v !== undefined && f.Value.split(',').map((s) => s.trim()).includes(v);
    case 'NONE_OF':
      return v === undefined || !f.Value.split(',').map((s) => s.trim()).includes(v);
    default:
      return false;
  }
}

/** Tokens bind the query, so a token from another query is refused as AWS does. */
function queryHash(body: unknown): string {
  const b = body as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify([b.ServiceCode, b.Filters ?? []])).digest('hex').slice(0, 12);
}

export function getProducts(body: unknown): { FormatVersion: string; PriceList: string[]; NextToken?: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  const service = str(b.ServiceCode, 'ServiceCode', true)!;
  const format = str(b.FormatVersion, 'FormatVersion', false) ?? 'aws_v1';
  if (format !== 'aws_v1') throw new PricingError('InvalidParameterException', `Input parameter FormatVersion is invalid: ${format}`);
  const filters = parseFilters(b.Filters);
  const max = b.MaxResults === undefined ? MAX_RESULTS : b.MaxResults;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
    throw new PricingError('InvalidParameterException', '1 validation error detected: Value at \'maxResults\' failed to satisfy constraint: Member must have value less than or equal to 100');
  }
  const source = SERVICES[service];
  if (!source) throw new PricingError('NotFoundException', `Service ${service} not found`);
  const hash = queryHash(b);
  let offset = 0;
  const token = str(b.NextToken, 'NextToken', false);
  if (token !== undefined) {
    const m = /^([0-9a-f]{12}):(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!m || m[1] !== hash) throw new PricingError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
    offset = Number(m[2]);
  }
  const hits = source().filter((p) => filters.every((f) => matches(p, f)));
  const page = hits.slice(offset, offset + max);
  const next = offset + max < hits.length ? Buffer.from(`${hash}:${offset + max}`).toString('base64') : undefined;
  return { FormatVersion: 'aws_v1', PriceList: page.map((p) => JSON.stringify(p)), ...(next ? { NextToken: next } : {}) };
}

export function describeServices(body: unknown): { Services: Array<{ ServiceCode: string; AttributeNames: string[] }>; FormatVersion: string } {
  const code = str((body as Record<string, unknown> | undefined)?.ServiceCode, 'ServiceCode', false);
  const codes = Object.keys(SERVICES).filter((c) => code === undefined || c === code);
  if (code !== undefined && !codes.length) throw new PricingError('NotFoundException', `Service ${code} not found`);
  return {
    Services: codes.map((c) => ({ ServiceCode: c, AttributeNames: Object.keys(SERVICES[c]!()[0]?.product.attributes ?? {}).sort() })),
    FormatVersion: 'aws_v1',
  };
}
