/**
 * The collector as a background process (`collector start|stop|status`), like `cbadm twin up`;
 * info.ts is the file through which other commands find it.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '@cloud-barista/core/util/poll';
import { OperationError } from '@cloud-barista/core/errors';
import { alive, cbmonDir, infoFile, readCollectorInfo, removeCollectorInfo, type CollectorInfo } from '@cloud-barista/agent/collector-info';

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
