/**
 * Samples pushed over HTTP, per VM: the runtime figures of each push agent and the loss counted
 * from gaps in seq. Storing them is the write queue's job.
 */
import { refKey, type Sample } from '@cloud-barista/agent/sample';
import type { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import type { Cursor } from '@cloud-barista/agent/store/types';
import type { AgentRuntime } from './stats.js';

export interface PushIntakeDeps {
  store: MetricsStore;
  enqueue: (samples: Sample[], cursor: Cursor, live: boolean) => void;
  /** Samples counted as lost (for the collector's total). */
  onLost: (n: number) => void;
  log: (line: string) => void;
}

export class PushIntake {
  /** Push agents heard from since start, by VM key. */
  readonly agents = new Map<string, AgentRuntime>();
  /** Time of the newest pushed sample per VM, for the seq-gap bound. */
  private readonly pushedAt = new Map<string, number>();

  constructor(private readonly d: PushIntakeDeps) {}

  /**
   * Pushed samples of one VM (the push server checked the token is that VM's). Loss is counted from
   * gaps in seq, but only gaps the clock allows: an agent cannot take more samples than its interval
   * permits since the last one, so a forged or reset seq cannot inflate the counter.
   */
  accept(samples: Sample[]): void {
    const byVm = new Map<string, Sample[]>();
    for (const s of samples) {
      const key = refKey(s.ref);
      const list = byVm.get(key);
      if (list) list.push(s);
      else byVm.set(key, [s]);
    }
    for (const [key, list] of byVm) this.acceptVm(key, list);
  }

  private acceptVm(key: string, list: Sample[]): void {
    const first = list[0]!.ref;
    const a = this.d.store.getAgent(first.ns, first.mcis, first.vm);
    let rt = this.agents.get(key);
    if (!rt) {
      rt = {
        ns: first.ns,
        mcis: first.mcis,
        vm: first.vm,
        mode: 'push',
        state: 'pushing',
        detail: null,
        lastSeq: a?.lastSeq ?? 0,
        lastSampleAt: null,
        lost: a?.lost ?? 0,
      };
      this.agents.set(key, rt);
      this.pushedAt.set(key, a?.lastTs ?? 0);
    }
    const intervalMs = (a?.intervalS ?? 1) * 1000;
    list.sort((x, y) => x.seq - y.seq);
    let lost = 0;
    let lastTs = this.pushedAt.get(key) ?? 0;
    for (const s of list) {
      if (s.seq > 0 && rt.lastSeq > 0 && s.seq > rt.lastSeq + 1) {
        const gap = s.seq - rt.lastSeq - 1;
        const possible = lastTs > 0 ? Math.floor(Math.max(0, s.tsMs - lastTs) / intervalMs) + 1 : 0;
        if (gap <= possible) lost += gap;
        else
          this.d.log(
            `${key}: seq jumped by ${gap} in ${Math.round((s.tsMs - lastTs) / 1000)} s; not counted as lost`,
          );
      }
      if (s.seq > rt.lastSeq) {
        rt.lastSeq = s.seq;
        lastTs = Math.max(lastTs, s.tsMs);
      }
    }
    this.pushedAt.set(key, lastTs);
    if (lost) {
      rt.lost += lost;
      this.d.onLost(lost);
      this.d.log(`${key}: ${lost} pushed sample(s) missing (dropped by the agent or gone from its ring)`);
    }
    const last = list.reduce((m, s) => (s.tsMs > m.tsMs ? s : m), list[0]!);
    rt.lastSampleAt = new Date(last.tsMs).toISOString();
    this.d.enqueue(
      list,
      {
        ns: first.ns,
        mcis: first.mcis,
        vm: first.vm,
        lastSeq: rt.lastSeq,
        lastTs: last.tsMs,
        lostDelta: lost,
      },
      true,
    );
  }
}
