/**
 * Typed progress events. The core emits, the CLI renders (listr2 on a TTY, plain lines otherwise).
 * An emitter is passed in per operation: no global bus.
 */
import type { VmStatus } from './model.js';

export type CbEvent =
  | { type: 'phase'; mcis: string; phase: string; message: string }
  | { type: 'resource'; connection: string; kind: 'network' | 'keypair' | 'firewall'; state: 'ensuring' | 'ready' | 'deleting' | 'deleted' | 'failed'; message?: string }
  | { type: 'vm'; mcis: string; vm: string; status: VmStatus; step: string; message?: string }
  /** A requirement-placed subgroup moved to its next candidate after a capacity or quota error. */
  | { type: 'failover'; mcis: string; subgroup: string; from: string; to: string; code: string; message: string }
  /** A file copy's progress on one VM (after each file copied or skipped). */
  | { type: 'transfer'; mcis: string; vm: string; files: number; totalFiles: number; bytes: number; totalBytes: number }
  | { type: 'warning'; message: string };

export type EventSink = (event: CbEvent) => void;

export const noEvents: EventSink = () => {};
