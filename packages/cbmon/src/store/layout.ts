/**
 * A sample's values as one blob: float64s in the order of its layout's columns. A column is one
 * metric of one series (`disk` · `disk_used` · `device=/dev/vda,mount=/`).
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
  const vals = Buffer.allocUnsafe(values.length * 8);
  values.forEach((v, i) => vals.writeDoubleLE(v, i * 8));
  return { cols, vals };
}

/** Back to points (for export): one point per measurement + series tags, in column order. */
export function decodePoints(cols: Column[], vals: Buffer, stride = 1, offset = 0): SamplePoint[] {
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
    p.fields[c.field] = vals.readDoubleLE((i * stride + offset) * 8);
  });
  return [...out.values()];
}
