import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alive } from './process.js';

const state = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.charAt(s.lastIndexOf(')') + 2);
};

describe('alive', () => {
  it('a running process is alive; an exited one that nobody reaped yet (a zombie) is not', async () => {
    expect(alive(process.pid)).toBe(true);
    // `sleep 0` exits at once; its parent became `sleep 3`, which never reaps it: a zombie for 3 s.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((r) => sh.stdout.once('data', (d: Buffer) => r(d.toString()))));
      for (let i = 0; i < 100 && state(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
      expect(state(pid)).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 alone would call it running
      expect(alive(pid)).toBe(false);
    } finally {
      sh.kill('SIGKILL');
    }
  });
});
