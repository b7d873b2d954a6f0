/**
 * A connection's own price table, for clouds with no pricing API (OpenStack): spec (flavor) name →
 * USD per hour. CSV (`flavor,usd_per_hour`, an optional header line, `#` comments) or YAML (a
 * mapping, or a list of `{flavor, usd_per_hour}`). Bad lines are errors naming the line and the
 * fix; nothing is stored then.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';

const price = (v: unknown, where: string): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(/^\$/, '')) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${where}: price ${JSON.stringify(v)} is not a number of USD per hour`, { hint: 'write it as 0.0416 (no currency sign needed)' });
  return n;
};

function fromCsv(text: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [name = '', value = '', ...rest] = line.split(',').map((x) => x.trim());
    if (i === 0 && Number.isNaN(Number(value)) && /flavor|spec|name/i.test(name)) return;
    const where = `${file} line ${i + 1}`;
    if (!name || rest.length > 0) throw new UsageError(`${where}: expected "flavor,usd_per_hour", got "${line}"`);
    out[name] = price(value, where);
  });
  return out;
}

function fromYaml(text: string, file: string): Record<string, number> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const out: Record<string, number> = {};
  if (Array.isArray(doc)) {
    doc.forEach((item: unknown, i) => {
      const x = (item ?? {}) as { flavor?: unknown; spec?: unknown; usd_per_hour?: unknown; price?: unknown };
      const name = x.flavor ?? x.spec;
      if (typeof name !== 'string' || !name) throw new UsageError(`${file} item ${i + 1}: needs flavor: NAME and usd_per_hour: PRICE`);
      out[name] = price(x.usd_per_hour ?? x.price, `${file} item ${i + 1}`);
    });
  } else if (doc && typeof doc === 'object') {
    for (const [name, v] of Object.entries(doc)) out[name] = price(v, `${file} '${name}'`);
  } else {
    throw new UsageError(`${file}: expected a mapping of flavor: usd_per_hour`);
  }
  return out;
}

export function parsePriceFile(text: string, file: string): Record<string, number> {
  const table = /\.ya?ml$/i.test(file) ? fromYaml(text, file) : fromCsv(text, file);
  if (Object.keys(table).length === 0) throw new UsageError(`${file} lists no prices`, { hint: 'one "flavor,usd_per_hour" per line (CSV) or "flavor: usd_per_hour" (YAML)' });
  return table;
}
