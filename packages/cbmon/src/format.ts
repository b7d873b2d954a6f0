/** Numbers for humans: units from the metric catalog, bytes in binary multiples, short times. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function humanBytes(v: number, suffix = ''): string {
  let x = Math.abs(v);
  let i = 0;
  while (x >= 1024 && i < BYTE_UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${x >= 100 || i === 0 ? x.toFixed(0) : x.toFixed(1)}${BYTE_UNITS[i]}${suffix}`;
}

/** A value with its unit: 12.5%, 3.2GiB, 1.1KiB/s, 12 ops/s. */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  switch (unit) {
    case '%':
      return `${v.toFixed(1)}%`;
    case 'bytes':
      return humanBytes(v);
    case 'bytes/s':
      return humanBytes(v, '/s');
    case 'kB/s':
      return humanBytes(v * 1024, '/s');
    case 'seconds':
      return `${Math.round(v)}s`;
    case '':
    case 'load':
      return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
    default:
      return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
  }
}

/** `2030-01-01T12:00:05.123Z` → `12:00:05` (local time, what a terminal user reads). */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
