/** Finding the real processes a twin VM runs (its /proc is this machine's), by what their command line names. */
import { readdirSync, readFileSync } from 'node:fs';

export function processesMatching(...needles: string[]): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
    } catch {
      continue;
    }
    if (needles.every((n) => cmdline.includes(n))) out.push({ pid: Number(name), cmdline });
  }
  return out;
}

export async function until(
  cond: () => boolean | Promise<boolean>,
  maxMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + maxMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
