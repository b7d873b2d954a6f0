/** The table and plot `cbmon query` prints. */
import type { QueryResult } from '../query/query.js';
import { clock, formatValue } from '../format.js';
import { makeTable } from './render.js';
import { plot } from '../query/plot.js';

export function renderQuery(r: QueryResult): string {
  const title = `${r.stat}(${r.metric}) by ${r.by}, ${clock(Date.parse(r.from))} .. ${clock(Date.parse(r.to))}`;
  if (r.groups.length === 0)
    return `${title}\nNo data in this window. Is a collector running? (cbmon collector status)`;
  const table = makeTable(
    [r.by.toUpperCase(), r.stat.toUpperCase(), 'SERIES'],
    r.groups.map((g) => [g.key, formatValue(g.value, r.unit), g.series]),
  );
  if (r.groups.length !== 1) return `${title}\n${table}`;
  const g = r.groups[0]!;
  const chart = plot(
    g.points.map((p) => p.value),
    {
      format: (v) => formatValue(v, r.unit),
      startLabel: clock(Date.parse(g.points[0]!.ts)),
      endLabel: clock(Date.parse(g.points.at(-1)!.ts)),
    },
  );
  return `${title}\n${table}\n${chart}`;
}
