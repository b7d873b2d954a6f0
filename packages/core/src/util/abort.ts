import { OperationError } from '../errors.js';

/** The signal's reason as an Error: what an aborted operation rejects with. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new OperationError('operation aborted');
}
