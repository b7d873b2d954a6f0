/**
 * From line protocol to samples. An agent's lines for one sample share a seq and a timestamp; a
 * stream marks with `#cbmon mark seq=N` that everything up to N was sent, so a sample is complete
 * (and may be stored) exactly when its mark arrives.
 */
import { parseLine, timestampToMs, type LpPoint } from '../lineproto.js';
import { IDENTITY_TAGS } from '../metrics.js';
import { parseControl, type Control } from '@cloud-barista/agent/protocol';
import type { Sample, SamplePoint, VmRef } from '@cloud-barista/agent/sample';

const IDENTITY = new Set<string>(IDENTITY_TAGS);

/** The point without identity tags and without the seq field. */
export function toSamplePoint(p: LpPoint): SamplePoint {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.tags)) if (!IDENTITY.has(k)) tags[k] = v;
  const fields: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.fields)) if (k !== 'seq') fields[k] = v;
  return { measurement: p.measurement, tags, fields };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// C0 and C1 control characters (ANSI escapes start with ESC or CSI).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export const MAX_TAG_VALUE = 256;
export const MAX_TAGS = 32;
export const MAX_FIELDS = 256;

/**
 * Why a point cannot be stored, or undefined when it can: names are identifiers (what Prometheus
 * and InfluxDB accept everywhere), tag values short and printable, seq a safe non-negative integer.
 */
export function pointProblem(p: LpPoint): string | undefined {
  if (!NAME.test(p.measurement) || p.measurement.length > 128)
    return `measurement '${p.measurement.slice(0, 40)}' is not a name ([A-Za-z_][A-Za-z0-9_]*)`;
  const tags = Object.entries(p.tags);
  if (tags.length > MAX_TAGS) return `${tags.length} tags (at most ${MAX_TAGS})`;
  for (const [k, v] of tags) {
    if (!NAME.test(k) || k.length > 128) return `tag key '${k.slice(0, 40)}' is not a name ([A-Za-z_][A-Za-z0-9_]*)`;
    if (v.length > MAX_TAG_VALUE) return `tag '${k}' is longer than ${MAX_TAG_VALUE} characters`;
    if (CONTROL.test(v)) return `tag '${k}' holds control characters`;
  }
  const fields = Object.keys(p.fields);
  if (fields.length > MAX_FIELDS) return `${fields.length} fields (at most ${MAX_FIELDS})`;
  for (const k of fields) if (!NAME.test(k) || k.length > 128) return `field '${k.slice(0, 40)}' is not a name ([A-Za-z_][A-Za-z0-9_]*)`;
  const seq = p.fields.seq;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && seq >= 0)) return `seq ${seq} is not a non-negative integer`;
  return undefined;
}

/** Why a sample's time cannot be stored: outside [now − ring − slack, now + 5 min]. */
export function timeProblem(tsMs: number, nowMs: number, ringMs: number): string | undefined {
  if (!Number.isFinite(tsMs)) return 'timestamp out of range';
  const oldest = nowMs - ringMs - 60_000;
  const show = (ms: number) => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`);
  if (tsMs < oldest) return `timestamp ${show(tsMs)} is older than the agent's ring`;
  if (tsMs > nowMs + 5 * 60_000) return `timestamp ${show(tsMs)} is more than 5 min ahead`;
  return undefined;
}

export type AssemblerEvent =
  | { type: 'control'; control: Control }
  | { type: 'samples'; samples: Sample[]; mark: number }
  | { type: 'bad-line'; message: string }
  /** The stream broke a bound (a line longer than MAX_LINE_BYTES, too many samples without a mark): hang up. */
  | { type: 'overflow'; message: string };

/** An agent line is a few hundred bytes; this is a broken or hostile agent. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Samples waiting for their mark (the agent marks every sample it sends). */
export const MAX_PENDING_SAMPLES = 10_000;

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

  private discarding = false;
  private broken = false;

  /** Feeds stream output; after an overflow event everything is ignored (the caller hangs up). */
  push(chunk: Buffer | string): void {
    if (this.broken) return;
    const text = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    this.carry = lines.pop() ?? '';
    for (const line of lines) {
      if (this.broken) return;
      if (this.discarding) this.discarding = false;
      else this.line(line);
    }
    if (this.carry.length > MAX_LINE_BYTES) {
      this.carry = '';
      this.discarding = true;
      this.emit({ type: 'bad-line', message: `line longer than ${MAX_LINE_BYTES} bytes` });
      this.overflow(`a line longer than ${MAX_LINE_BYTES} bytes`);
    }
  }

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.carry.length;
  }

  private overflow(message: string): void {
    this.broken = true;
    this.pending.clear();
    this.emit({ type: 'overflow', message });
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
    const problem = pointProblem(p);
    if (problem) {
      this.emit({ type: 'bad-line', message: problem });
      return;
    }
    const seq = p.fields.seq;
    if (seq === undefined || p.timestamp === undefined) {
      this.emit({ type: 'bad-line', message: `line without seq or timestamp: ${line.slice(0, 80)}` });
      return;
    }
    let s = this.pending.get(seq);
    if (!s) {
      if (this.pending.size >= MAX_PENDING_SAMPLES) {
        this.overflow(`more than ${MAX_PENDING_SAMPLES} samples without a mark`);
        return;
      }
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
