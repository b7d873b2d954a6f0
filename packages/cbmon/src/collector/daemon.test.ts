/** `collector stop` signals the collector only: never a process that inherited a dead collector's pid. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopCollector } from './daemon.js';
import { alive, infoFile, isOurCollector, readCollectorInfo, writeCollectorInfo } from '@cloud-barista/agent/collector-info';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('collector stop', () => {
  it('does not signal a live process that is not the collector (a recycled pid)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cbmon-daemon-'));
    dirs.push(home);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeCollectorInfo(home, { pid: other.pid!, startedAt: new Date().toISOString(), pushUrl: null, log: null });
      expect(readCollectorInfo(home)).toBeUndefined();
      expect(await stopCollector(home, 500)).toEqual({ stopped: false });
      expect(alive(other.pid!)).toBe(true);
      expect(existsSync(infoFile(home))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('does not take a collector-looking process started after the file was written for it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cbmon-daemon-'));
    dirs.push(home);
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    // argv[1..] as the daemon has them: `… collector serve …`.
    const late = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'collector', 'serve'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(isOurCollector({ pid: late.pid!, startedAt: new Date().toISOString(), pushUrl: null, log: null })).toBe(true);
      expect(isOurCollector({ pid: late.pid!, startedAt, pushUrl: null, log: null })).toBe(false);
    } finally {
      late.kill('SIGKILL');
    }
  });
});
