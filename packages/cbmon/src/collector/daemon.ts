/**
 * The collector as a background process (`collector start|stop|status`), like `cbadm twin up`:
 * `collector serve` writes `$CB_HOME/cbmon/collector.json` once it runs and removes it on exit; that
 * file (with a live pid) is how other commands find it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '@cloud-barista/core/util/poll';
import { OperationError } from '@cloud-barista/core/errors';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
export async function startCollector(
  home: string,
  serveArgs: string[],
  timeoutMs = 20_000,
): Promise<CollectorInfo & { alreadyRunning: boolean }> {
  const running = readCollectorInfo(home);
  if (running) return { ...running, alreadyRunning: true };
  const logPath = join(cbmonDir(home), 'collector.log');
  const log = openSync(logPath, 'a');
  const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'collector', 'serve', ...serveArgs], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, CBMON_COLLECTOR_LOG: logPath },
  });
  child.unref();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = readCollectorInfo(home);
    if (info && info.pid === child.pid) return { ...info, alreadyRunning: false };
    if (exited !== undefined) {
      const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new OperationError(`the collector exited at start (code ${exited}):\n${tail}`, {
        hint: `see ${logPath}`,
      });
    }
    await sleep(100);
  }
  throw new OperationError(`the collector did not start within ${timeoutMs} ms`, { hint: `see ${logPath}` });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopCollector(
  home: string,
  graceMs = 15_000,
): Promise<{ stopped: boolean; pid?: number }> {
  const info = readCollectorInfo(home);
  if (!info) {
    // A file left by a collector that died: its pid may belong to anything now, so never signal it.
    rmSync(infoFile(home), { force: true });
    return { stopped: false };
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(info.pid) && Date.now() < deadline) await sleep(100);
  if (alive(info.pid)) process.kill(info.pid, 'SIGKILL');
  while (alive(info.pid)) await sleep(50);
  removeCollectorInfo(home, info.pid);
  return { stopped: true, pid: info.pid };
}
