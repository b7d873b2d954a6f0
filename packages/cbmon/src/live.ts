/**
 * Live views (`stream`, `watch`): one agent stream per VM straight over SSH, no collector needed.
 * A VM that fails is reported and the rest go on; a VM without an agent is dropped with a hint.
 */
import type { Core } from '@cloud-barista/core';
import { NotFoundError } from '@cloud-barista/core/errors';
import { followAgent, type FollowState } from './agent/follow.js';
import type { Sample } from '@cloud-barista/agent/sample';
import { reach, type MonTarget } from '@cloud-barista/agent/targets';

export interface LiveOptions {
  core: Core;
  targets: MonTarget[];
  signal: AbortSignal;
  /** Start with the last n samples of each ring (0: only new ones). */
  backlog?: number;
  onSample: (s: Sample) => void;
  onState?: (vm: string, state: FollowState, detail?: string) => void;
}

export interface LiveOutcome {
  vm: string;
  samples: number;
  error: string | null;
  hint: string | null;
}

export async function runLive(o: LiveOptions): Promise<LiveOutcome[]> {
  return Promise.all(
    o.targets.map(async (t): Promise<LiveOutcome> => {
      const out: LiveOutcome = { vm: t.ref.vm, samples: 0, error: null, hint: null };
      try {
        await followAgent({
          transport: o.core.exec,
          ref: t.ref,
          reach: () => reach(o.core, t.ref),
          start: o.backlog ? { last: o.backlog } : 'now',
          follow: true,
          signal: o.signal,
          idleTimeoutMs: 60_000,
          maxRetryMs: 5_000,
          stopOn: (e) => e instanceof NotFoundError,
          onSamples: (samples) => {
            out.samples += samples.length;
            out.error = null;
            for (const s of samples) o.onSample(s);
          },
          onState: (state, detail) => {
            if (state === 'retrying' || state === 'waiting') out.error = detail ?? state;
            o.onState?.(t.ref.vm, state, detail);
          },
        });
      } catch (e) {
        const err = e as Error & { hint?: string };
        out.error = err.message;
        out.hint = err.hint ?? null;
        o.onState?.(t.ref.vm, 'done', err.message);
      }
      return out;
    }),
  );
}

/** Keeps only the selected metrics; points left without fields are dropped. */
export function filterSample(s: Sample, metrics: Set<string>): Sample {
  const points = s.points
    .map((p) => ({
      ...p,
      fields: Object.fromEntries(Object.entries(p.fields).filter(([k]) => metrics.has(k))),
    }))
    .filter((p) => Object.keys(p.fields).length > 0);
  return { ...s, points };
}
