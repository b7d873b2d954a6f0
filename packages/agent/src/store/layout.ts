/**
 * A sample's values as one blob, in the order of its layout's columns. A column is one metric of
 * one series (`disk` · `disk_used` · `device=/dev/vda,mount=/`).
 *
 * Agents print values with at most two decimals, so most samples are stored as zigzag varints of
 * value × 100 (zeros take a byte, percentages two, byte counts five or six): about a third of the
 * size of float64s. A sample with any value that does not survive that exactly is stored as
 * float64s. The first byte says which.
 */
import { seriesTags, type SamplePoint } from '../sample.js';

export interface Column {
  measurement: string;
  field: string;
  /** Series tags within the VM, `k=v,k=v` sorted ('' for cpu, mem, system). */
  tags: string;
}

export function columnKey(c: Column): string {
  return `${c.measurement}\t${c.field}\t${c.tags}`;
}

export function parseColumnKey(key: string): Column {
  const [measurement = '', field = '', tags = ''] = key.split('\t');
  return { measurement, field, tags };
}

const CODEC_FLOAT64 = 0;
const CODEC_CENTI_VARINT = 1;
const SCALE = 100;

function centi(v: number): number | undefined {
  const x = Math.round(v * SCALE);
  // Zigzag doubles the magnitude: stay below 2^52 so it remains an exact integer.
  return Number.isInteger(x) && Math.abs(x) < 2 ** 51 && x / SCALE === v ? x : undefined;
}

export function encodeValues(values: number[]): Buffer {
  const scaled = values.map(centi);
  if (scaled.some((x) => x === undefined)) {
    const buf = Buffer.allocUnsafe(1 + values.length * 8);
    buf[0] = CODEC_FLOAT64;
    values.forEach((v, i) => buf.writeDoubleLE(v, 1 + i * 8));
    return buf;
  }
  const bytes: number[] = [CODEC_CENTI_VARINT];
  for (const x of scaled as number[]) {
    // Zigzag without 32-bit operators: the values exceed 2^31.
    let z = x >= 0 ? x * 2 : -x * 2 - 1;
    while (z >= 0x80) {
      bytes.push((z % 0x80) | 0x80);
      z = Math.floor(z / 0x80);
    }
    bytes.push(z);
  }
  return Buffer.from(bytes);
}

export function decodeValues(buf: Buffer): Float64Array {
  if (buf[0] === CODEC_FLOAT64) {
    const out = new Float64Array((buf.length - 1) / 8);
    for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(1 + i * 8);
    return out;
  }
  const out: number[] = [];
  let z = 0;
  let mul = 1;
  for (let i = 1; i < buf.length; i++) {
    const b = buf[i]!;
    z += (b & 0x7f) * mul;
    if (b < 0x80) {
      out.push((z % 2 === 0 ? z / 2 : -(z + 1) / 2) / SCALE);
      z = 0;
      mul = 1;
    } else {
      mul *= 0x80;
    }
  }
  return Float64Array.from(out);
}

/** Column keys and the value blob of one sample (`seq` is the sample's, not a value). */
export function encodePoints(points: SamplePoint[]): { cols: string[]; vals: Buffer } {
  const cols: string[] = [];
  const values: number[] = [];
  for (const p of points) {
    const tags = seriesTags(p.tags);
    for (const [field, v] of Object.entries(p.fields)) {
      if (field === 'seq') continue;
      cols.push(`${p.measurement}\t${field}\t${tags}`);
      values.push(v);
    }
  }
  return { cols, vals: encodeValues(values) };
}

/** Back to points (for export): one point per measurement + series tags, in column order. */
export function decodePoints(cols: Column[], values: Float64Array): SamplePoint[] {
  const out = new Map<string, SamplePoint>();
  cols.forEach((c, i) => {
    const key = `${c.measurement}\t${c.tags}`;
    let p = out.get(key);
    if (!p) {
      const tags: Record<string, string> = {};
      if (c.tags) {
        for (const kv of c.tags.split(',')) {
          const eq = kv.indexOf('=');
          tags[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
      }
      p = { measurement: c.measurement, tags, fields: {} };
      out.set(key, p);
    }
    p.fields[c.field] = values[i]!;
  });
  return [...out.values()];
}
