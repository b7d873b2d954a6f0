/**
 * Where a running collector says how to reach it: `$CB_HOME/cbmon/collector.json`, written by
 * `collector serve` once it runs and removed on exit; with a live pid it is how other commands (and
 * `installAgents`, for the push listener's key pin) find the collector.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '@cloud-barista/core/util/process';

/** Whether a pid runs: what `isOurCollector` asks first. */
export { alive };

export interface CollectorInfo {
  pid: number;
  startedAt: string;
  pushUrl: string | null;
  /** The push listener's key pin when it serves TLS (`sha256//…`), for `agent install --push`. */
  pushPin?: string | null;
  log: string | null;
}

export function cbmonDir(home: string): string {
  const dir = join(home, 'cbmon');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Whether `pid` is the collector `info` describes, not a process that got its pid after the
 * collector died: its command line is `… collector serve …` and it started no later than the
 * collector wrote its file. Without /proc (not Linux) only the first is unknowable: trust liveness.
 */
export function isOurCollector(info: CollectorInfo): boolean {
  if (!alive(info.pid)) return false;
  let cmdline: string[];
  let stat: string;
  let btime: number;
  try {
    cmdline = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').split('\0');
    stat = readFileSync(`/proc/${info.pid}/stat`, 'utf8');
    btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' || !existsSync('/proc/self');
  }
  const serve = cmdline.indexOf('collector');
  if (serve < 0 || cmdline[serve + 1] !== 'serve') return false;
  // Field 22 of stat (after the parenthesised name): start time in clock ticks (100 Hz on Linux) since boot.
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  if (!Number.isFinite(startTicks) || !Number.isFinite(btime)) return true;
  const startedMs = btime * 1000 + startTicks * 10;
  return startedMs <= Date.parse(info.startedAt) + 1_000;
}

export function infoFile(home: string): string {
  return join(cbmonDir(home), 'collector.json');
}

export function readCollectorInfo(home: string): CollectorInfo | undefined {
  const file = infoFile(home);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as CollectorInfo;
    return isOurCollector(info) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function writeCollectorInfo(home: string, info: CollectorInfo): void {
  writeFileSync(infoFile(home), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export function removeCollectorInfo(home: string, pid: number): void {
  const info = existsSync(infoFile(home))
    ? (JSON.parse(readFileSync(infoFile(home), 'utf8')) as CollectorInfo)
    : undefined;
  if (info?.pid === pid) rmSync(infoFile(home), { force: true });
}

/** Starts `cbmon collector serve ARGS` detached; resolves once it runs, throws with its log if it exits. */
