/**
 * One pull session: a long-lived SSH stream from a pull-mode agent, resumed from the stored cursor
 * after any break, feeding the write queue. Samples with an implausible clock are dropped here.
 */
import type { Core } from '@cloud-barista/core';
import { refKey, type Sample, type VmRef } from '@cloud-barista/agent/sample';
import type { AgentRecord, Cursor } from '@cloud-barista/agent/store/types';
import { reach } from '@cloud-barista/agent/targets';
import { followAgent } from '../agent/follow.js';
import { timeProblem } from './assemble.js';
import type { AgentRuntime } from './stats.js';

export interface Puller {
  ac: AbortController;
  done: Promise<void>;
  rt: AgentRuntime;
}

export interface PullDeps {
  core: Core;
  enqueue: (samples: Sample[], cursor: Cursor, live: boolean) => void;
  /** Samples counted as lost (for the collector's total). */
  onLost: (n: number) => void;
  log: (line: string) => void;
}

/** Starts following agent `a` on the VM at `ref`; abort `ac` to stop, then await `done`. */
export function startPull(d: PullDeps, a: AgentRecord, ref: VmRef): Puller {
  const key = refKey(a);
  const rt: AgentRuntime = {
    ns: a.ns,
    mcis: a.mcis,
    vm: a.vm,
    mode: 'pull',
    state: 'starting',
    detail: null,
    lastSeq: a.lastSeq,
    lastSampleAt: null,
    lost: a.lost,
  };
  const ac = new AbortController();
  const idleTimeoutMs = Math.max(30_000, a.intervalS * 3_000 + 15_000);
  let lastLogged = '';
  const done = followAgent({
    transport: d.core.exec,
    ref,
    reach: () => reach(d.core, ref),
    start: { since: a.lastSeq, ...(a.epoch ? { epoch: a.epoch } : {}) },
    follow: true,
    signal: ac.signal,
    idleTimeoutMs,
    onSamples: (all, at) => {
      // A broken or hostile agent's clock must not pin the VM's "latest" value for years.
      const now = Date.now();
      const samples = all.filter((s) => {
        const why = timeProblem(s.tsMs, now, a.ringS * 1000);
        if (why) d.log(`${key}: sample seq ${s.seq} dropped: ${why}`);
        return !why;
      });
      if (samples.length === 0) return;
      const last = samples.at(-1)!;
      rt.lastSeq = at.mark;
      rt.lastSampleAt = new Date(last.tsMs).toISOString();
      d.enqueue(
        samples,
        { ns: a.ns, mcis: a.mcis, vm: a.vm, epoch: at.epoch, lastSeq: at.mark, lastTs: last.tsMs },
        at.live,
      );
    },
    onHello: (h, lost) => {
      if (h.reset) d.log(`${key}: the agent started a new sequence (reinstalled); reading its whole ring`);
      if (lost > 0) {
        rt.lost += lost;
        d.onLost(lost);
        d.log(`${key}: ${lost} sample(s) had left the agent's ring before they could be read (raise --ring)`);
        d.enqueue(
          [],
          { ns: a.ns, mcis: a.mcis, vm: a.vm, lastSeq: rt.lastSeq, lastTs: Date.now(), lostDelta: lost },
          false,
        );
      }
    },
    onState: (state, detail) => {
      rt.state = state;
      rt.detail = detail ?? null;
      const line = `${state}${detail ? `: ${detail}` : ''}`;
      // One line per change of situation, not one per retry.
      if (state !== 'connecting' && state !== 'done' && line !== lastLogged) d.log(`${key}: ${line}`);
      if (state !== 'connecting') lastLogged = line;
    },
    onBadLine: (message) => d.log(`${key}: bad line from agent: ${message}`),
  });
  return { ac, done, rt };
}
