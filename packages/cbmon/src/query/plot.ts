/** Terminal graphics: a sparkline for a table cell, and a small plot of one series. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character per value, scaled between min and max (or the given bounds); gaps are spaces. */
export function sparkline(values: Array<number | null>, bounds?: { min: number; max: number }): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return ' '.repeat(values.length);
  const lo = bounds?.min ?? Math.min(...known);
  const hi = bounds?.max ?? Math.max(...known);
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (hi <= lo) return BLOCKS[0];
      const i = Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (BLOCKS.length - 1));
      return BLOCKS[i];
    })
    .join('');
}

/**
 * A bar plot `height` rows tall, one column per value (gaps left blank), with the top, middle and
 * bottom values on a left axis and the first and last labels under it.
 */
export function plot(
  values: Array<number | null>,
  opts: { height?: number; format: (v: number) => string; startLabel?: string; endLabel?: string },
): string {
  const height = opts.height ?? 8;
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return '(no data in this window)\n';
  const lo = Math.min(0, ...known);
  let hi = Math.max(...known);
  if (hi === lo) hi = lo + 1;
  const labels = [opts.format(hi), opts.format((hi + lo) / 2), opts.format(lo)];
  const pad = Math.max(...labels.map((l) => l.length));
  const levels = values.map((v) => (v === null ? null : Math.round(((v - lo) / (hi - lo)) * height * 8)));
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    const label =
      r === height - 1
        ? labels[0]!
        : r === Math.floor((height - 1) / 2)
          ? labels[1]!
          : r === 0
            ? labels[2]!
            : '';
    const cells = levels
      .map((l) => (l === null ? ' ' : EIGHTHS[Math.max(0, Math.min(8, l - r * 8))]!))
      .join('');
    rows.push(`${label.padStart(pad)} ┤${cells}`);
  }
  const axis = `${' '.repeat(pad)} └${'─'.repeat(values.length)}`;
  const start = opts.startLabel ?? '';
  const end = opts.endLabel ?? '';
  const gap = Math.max(1, values.length - start.length - end.length);
  return `${rows.join('\n')}\n${axis}\n${' '.repeat(pad + 2)}${start}${' '.repeat(gap)}${end}\n`;
}
