/**
 * InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/):
 * what the agent writes, what `collector serve` accepts over HTTP and what `export influx` sends.
 * Pure functions; numeric fields only are kept (booleans become 1/0, strings are dropped), because
 * everything cbmon stores is a number.
 */

export interface LpPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  /** The timestamp as written (digits, in the write's precision); absent means "now" to the reader. */
  timestamp?: string;
}

export class LineProtocolError extends Error {
  constructor(
    message: string,
    readonly line: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column + 1}: ${line.length > 120 ? `${line.slice(0, 117)}...` : line}`);
  }
}

/** Reads up to an unescaped char in `stops`; returns the unescaped text and the index of the stop. */
function scan(line: string, start: number, stops: string): [string, number] {
  let out = '';
  let i = start;
  while (i < line.length) {
    const c = line[i]!;
    if (
      c === '\\' &&
      i + 1 < line.length &&
      (stops.includes(line[i + 1]!) ||
        line[i + 1] === '\\' ||
        line[i + 1] === '=' ||
        line[i + 1] === ',' ||
        line[i + 1] === ' ')
    ) {
      out += line[i + 1];
      i += 2;
      continue;
    }
    if (stops.includes(c)) break;
    out += c;
    i++;
  }
  return [out, i];
}

const BOOL_TRUE = new Set(['t', 'T', 'true', 'True', 'TRUE']);
const BOOL_FALSE = new Set(['f', 'F', 'false', 'False', 'FALSE']);
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one line; throws LineProtocolError naming the column. Comment and blank lines give null. */
export function parseLine(line: string): LpPoint | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '' || text.trimStart().startsWith('#')) return null;
  const [measurement, afterMeasurement] = scan(text, 0, ', ');
  let i = afterMeasurement;
  if (measurement === '') throw new LineProtocolError('missing measurement', text, 0);
  const tags: Record<string, string> = {};
  while (text[i] === ',') {
    const [key, eq] = scan(text, i + 1, '=, ');
    if (text[eq] !== '=' || key === '') throw new LineProtocolError('expected tag key=value', text, i + 1);
    const [value, next] = scan(text, eq + 1, ', ');
    if (value === '') throw new LineProtocolError(`empty value for tag '${key}'`, text, eq + 1);
    tags[key] = value;
    i = next;
  }
  if (text[i] !== ' ') throw new LineProtocolError('expected a space before the fields', text, i);
  i++;
  const fields: Record<string, number> = {};
  let any = false;
  for (;;) {
    const [key, eq] = scan(text, i, '=, ');
    if (text[eq] !== '=' || key === '') throw new LineProtocolError('expected field key=value', text, i);
    let j = eq + 1;
    if (text[j] === '"') {
      // String field: skip it (cbmon stores numbers), honouring \" and \\ escapes.
      j++;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (text[j] !== '"') throw new LineProtocolError(`unterminated string in field '${key}'`, text, eq + 1);
      j++;
      any = true;
    } else {
      let end = j;
      while (end < text.length && text[end] !== ',' && text[end] !== ' ') end++;
      const raw = text.slice(j, end);
      let value: number;
      if (/^[+-]?\d+[iu]$/.test(raw)) value = Number(raw.slice(0, -1));
      else if (FLOAT.test(raw)) value = Number(raw);
      else if (BOOL_TRUE.has(raw)) value = 1;
      else if (BOOL_FALSE.has(raw)) value = 0;
      else throw new LineProtocolError(`bad value '${raw}' for field '${key}'`, text, j);
      if (!Number.isFinite(value))
        throw new LineProtocolError(`value of field '${key}' is not finite`, text, j);
      fields[key] = value;
      any = true;
      j = end;
    }
    if (text[j] === ',') {
      i = j + 1;
      continue;
    }
    i = j;
    break;
  }
  if (!any) throw new LineProtocolError('no fields', text, i);
  let timestamp: string | undefined;
  if (text[i] === ' ') {
    const ts = text.slice(i + 1).trim();
    if (ts !== '') {
      if (!/^-?\d+$/.test(ts)) throw new LineProtocolError(`bad timestamp '${ts.slice(0, 40)}'`, text, i + 1);
      // int64 nanoseconds have at most 19 digits; longer is no time at all (and no Number).
      if (ts.replace(/^-?0*/, '').length > 19)
        throw new LineProtocolError('timestamp out of range (more than 19 digits)', text, i + 1);
      timestamp = ts;
    }
  } else if (i < text.length) {
    throw new LineProtocolError('unexpected text after the fields', text, i);
  }
  return { measurement, tags, fields, ...(timestamp !== undefined ? { timestamp } : {}) };
}

export type Precision = 'ns' | 'us' | 'ms' | 's';

/** A timestamp in `precision` to epoch milliseconds, exactly (ns timestamps exceed 2^53). */
export function timestampToMs(ts: string, precision: Precision = 'ns'): number {
  const drop = { ns: 6, us: 3, ms: 0, s: -3 }[precision];
  if (drop < 0) return Number(ts) * 1_000;
  if (drop === 0) return Number(ts);
  const neg = ts.startsWith('-');
  const digits = neg ? ts.slice(1) : ts;
  const ms = digits.length > drop ? Number(digits.slice(0, digits.length - drop)) : 0;
  return neg ? -ms : ms;
}

function escapeKey(s: string): string {
  return s.replace(/[\\,= ]/g, (c) => `\\${c}`);
}

function escapeMeasurement(s: string): string {
  return s.replace(/[\\, ]/g, (c) => `\\${c}`);
}

/** Shortest text that reads back as the same number. */
export function formatNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
}

/** One line; tags are written sorted by key (what InfluxDB recommends). `timestamp` is in ns. */
export function formatLine(p: LpPoint): string {
  const tags = Object.keys(p.tags)
    .sort()
    .map((k) => `,${escapeKey(k)}=${escapeKey(p.tags[k]!)}`)
    .join('');
  const fields = Object.entries(p.fields)
    .map(([k, v]) => `${escapeKey(k)}=${formatNumber(v)}`)
    .join(',');
  return `${escapeMeasurement(p.measurement)}${tags} ${fields}${p.timestamp !== undefined ? ` ${p.timestamp}` : ''}`;
}

/** Epoch milliseconds as a nanosecond timestamp string. */
export function msToNs(ms: number): string {
  return `${Math.trunc(ms)}000000`;
}
