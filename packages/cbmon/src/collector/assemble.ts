/**
 * From line protocol to samples. An agent's lines for one sample share a seq and a timestamp; a
 * stream marks with `#cbmon mark seq=N` that everything up to N was sent, so a sample is complete
 * (and may be stored) exactly when its mark arrives.
 */
import { parseLine, timestampToMs, type LpPoint, type Precision } from '../lineproto.js';
import { IDENTITY_TAGS } from '../metrics.js';
import { parseControl, type Control } from '../agent/protocol.js';
import type { Sample, SamplePoint, VmRef } from '../sample.js';

const IDENTITY = new Set<string>(IDENTITY_TAGS);

/** The point without identity tags and without the seq field. */
export function toSamplePoint(p: LpPoint): SamplePoint {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.tags)) if (!IDENTITY.has(k)) tags[k] = v;
  const fields: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.fields)) if (k !== 'seq') fields[k] = v;
  return { measurement: p.measurement, tags, fields };
}

/** The VM a line says it is from, when its tags name one. */
export function refOf(p: LpPoint): VmRef | undefined {
  const t = p.tags;
  if (!t.ns || !t.mcis || !t.vm) return undefined;
  return {
    ns: t.ns,
    mcis: t.mcis,
    vm: t.vm,
    subgroup: t.subgroup ?? '',
    csp: t.csp ?? '',
    region: t.region ?? '',
  };
}

export type AssemblerEvent =
  | { type: 'control'; control: Control }
  | { type: 'samples'; samples: Sample[]; mark: number }
  | { type: 'bad-line'; message: string };

/**
 * Reassembles one agent stream. The stream's VM (`ref`) is authoritative: it is where we connected,
 * whatever the lines' tags say. Lines without seq are reported as bad: the agent always sends one.
 */
export class StreamAssembler {
  private carry = '';
  private readonly pending = new Map<number, { tsMs: number; points: SamplePoint[] }>();

  constructor(
    private readonly ref: VmRef,
    private readonly emit: (e: AssemblerEvent) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    this.carry = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Samples still waiting for their mark (dropped if the stream ends: the next one resends them). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private line(line: string): void {
    if (line.startsWith('#')) {
      const control = parseControl(line);
      if (!control) return;
      if (control.type === 'mark') this.flush(control.seq);
      this.emit({ type: 'control', control });
      return;
    }
    let p: LpPoint | null;
    try {
      p = parseLine(line);
    } catch (e) {
      this.emit({ type: 'bad-line', message: (e as Error).message });
      return;
    }
    if (!p) return;
    const seq = p.fields.seq;
    if (seq === undefined || p.timestamp === undefined) {
      this.emit({ type: 'bad-line', message: `line without seq or timestamp: ${line.slice(0, 80)}` });
      return;
    }
    let s = this.pending.get(seq);
    if (!s) {
      s = { tsMs: timestampToMs(p.timestamp), points: [] };
      this.pending.set(seq, s);
    }
    s.points.push(toSamplePoint(p));
  }

  private flush(mark: number): void {
    const done: Sample[] = [];
    for (const [seq, s] of this.pending) {
      if (seq <= mark) {
        done.push({ ref: this.ref, seq, tsMs: s.tsMs, points: s.points });
        this.pending.delete(seq);
      }
    }
    done.sort((a, b) => a.seq - b.seq);
    this.emit({ type: 'samples', samples: done, mark });
  }
}

/**
 * Lines pushed over HTTP → samples, grouped per VM by seq (or by timestamp for writers that send
 * none, like telegraf). Lines without VM tags are returned apart so the caller can refuse them.
 */
export function groupPushed(
  points: LpPoint[],
  precision: Precision,
  nowMs: number,
): { samples: Sample[]; untagged: number } {
  const bySample = new Map<string, Sample>();
  let untagged = 0;
  for (const p of points) {
    const ref = refOf(p);
    if (!ref) {
      untagged++;
      continue;
    }
    const tsMs = p.timestamp !== undefined ? timestampToMs(p.timestamp, precision) : nowMs;
    const seq = p.fields.seq ?? 0;
    const key = `${ref.ns}/${ref.mcis}/${ref.vm}\t${p.fields.seq !== undefined ? `s${seq}` : `t${tsMs}`}`;
    let s = bySample.get(key);
    if (!s) {
      s = { ref, seq, tsMs, points: [] };
      bySample.set(key, s);
    }
    s.points.push(toSamplePoint(p));
  }
  return { samples: [...bySample.values()].sort((a, b) => a.tsMs - b.tsMs), untagged };
}
