/** Pushed samples: loss counted from seq gaps only as far as the agent's interval allows. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '@cloud-barista/agent/sample';
import { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import type { Cursor } from '@cloud-barista/agent/store/types';
import { PushIntake } from './push-intake.js';

const ref = { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'us-east-1' };
const sample = (seq: number, tsMs: number): Sample => ({
  ref,
  seq,
  tsMs,
  points: [{ measurement: 'cpu', tags: {}, fields: { usage_user: seq } }],
});

let dir: string;
let store: MetricsStore;
let queued: Array<{ samples: Sample[]; cursor: Cursor }>;
let lost: number;
let lines: string[];
let intake: PushIntake;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cbmon-push-intake-'));
  store = new MetricsStore(join(dir, 'm.db'));
  store.putAgent({
    ns: 'default',
    mcis: 'web',
    vm: 'web-1',
    mode: 'push',
    intervalS: 1,
    ringS: 60,
    version: '1',
    pushUrl: 'http://x/write',
    installedAt: new Date().toISOString(),
  });
  queued = [];
  lost = 0;
  lines = [];
  intake = new PushIntake({
    store,
    enqueue: (samples, cursor) => queued.push({ samples, cursor }),
    onLost: (n) => (lost += n),
    log: (l) => lines.push(l),
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PushIntake', () => {
  it('counts a gap the clock allows as lost, and moves the cursor to the newest seq', () => {
    const t = Date.now() - 10_000;
    intake.accept([sample(1, t)]);
    intake.accept([sample(5, t + 4_000), sample(4, t + 3_000)]);
    expect(lost).toBe(2);
    expect(queued.at(-1)?.cursor).toMatchObject({ lastSeq: 5, lastTs: t + 4_000, lostDelta: 2 });
    expect(intake.agents.get('default/web/web-1')).toMatchObject({ mode: 'push', lastSeq: 5, lost: 2 });
  });

  it('does not count a seq jump the interval cannot explain (a forged or reset seq)', () => {
    const t = Date.now() - 10_000;
    intake.accept([sample(1, t)]);
    intake.accept([sample(1_000_000, t + 2_000)]);
    expect(lost).toBe(0);
    expect(lines.join('\n')).toMatch(/seq jumped by 999998 in 2 s; not counted as lost/);
  });
});
