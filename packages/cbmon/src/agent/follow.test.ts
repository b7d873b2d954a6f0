/**
 * followAgent against a stream that never ends its line (a broken or hostile agent): the session is
 * hung up at the bound, the line reported as bad, and the follow reconnects.
 */
import { describe, expect, it } from 'vitest';
import type { ExecTarget, StreamOptions, StreamResult } from '@cloud-barista/core/exec/transport';
import type { VmRef } from '@cloud-barista/agent/sample';
import { followAgent } from './follow.js';

const ref: VmRef = { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'r' };
const target: ExecTarget = { vm: 'web-1', connection: 'c', provider: 'aws' };

describe('followAgent', () => {
  it('hangs up a stream whose line never ends, reports it, and reconnects', async () => {
    const ac = new AbortController();
    const sessions: Array<{ bytes: number; aborted: boolean }> = [];
    const bad: string[] = [];
    const retries: string[] = [];
    // Writes 64 KiB chunks until its signal aborts (as ssh2 would stop reading a hung-up channel).
    const stream = (_t: ExecTarget, _c: string, o: StreamOptions): Promise<StreamResult> =>
      new Promise((resolve, reject) => {
        const s = { bytes: 0, aborted: false };
        sessions.push(s);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const tick = setInterval(() => {
          if (o.signal?.aborted) {
            clearInterval(tick);
            s.aborted = true;
            reject(new Error('aborted'));
            return;
          }
          s.bytes += chunk.length;
          o.onStdout(chunk);
          if (s.bytes > 64 * 1024 * 1024) {
            clearInterval(tick);
            resolve({ exitCode: 0, stderrTail: '', durationMs: 0 });
          }
        }, 0);
      });
    const done = followAgent({
      transport: { stream },
      ref,
      reach: () => ({ target }),
      start: 'now',
      follow: true,
      signal: ac.signal,
      minRetryMs: 1,
      maxRetryMs: 5,
      onSamples: () => undefined,
      onBadLine: (m) => bad.push(m),
      onState: (state, detail) => {
        if (state === 'retrying') {
          retries.push(detail ?? '');
          if (retries.length === 2) ac.abort();
        }
      },
    });
    await done;
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    for (const s of sessions.slice(0, 2)) {
      expect(s.aborted).toBe(true);
      // Hung up at the bound (1 MiB plus one chunk), not after the 64 MiB the agent would send.
      expect(s.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
    expect(bad[0]).toMatch(/longer than 1048576 bytes/);
    expect(retries[0]).toMatch(/hung up: a line longer than/);
  });
});
