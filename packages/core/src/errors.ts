/**
 * Typed errors that say who must act. One top-level catch in each CLI maps them to exit codes
 * (DESIGN.md §4): 0 ok, 1 error, 2 usage/validation, 3 partial success, 4 not found, 5 conflict/locked;
 * 6 is not an error but a verdict for scripts and CI: `cbmon check` found its rule firing, `plan
 * --detailed-exitcode` has changes to make, `mcis drift` found the clouds differ from the record.
 * This module is a leaf: it imports nothing.
 */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 2,
  Partial: 3,
  NotFound: 4,
  Conflict: 5,
  /** Not an error: the check found what it looks for (rule fired, changes to make, drift). */
  Verdict: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorKind = 'usage' | 'not-found' | 'conflict' | 'provider' | 'partial' | 'bug' | 'error';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `spec.subgroups[1].count`. */
  path: string;
  message: string;
}

export abstract class CbError extends Error {
  abstract readonly kind: ErrorKind;
  abstract readonly exitCode: ExitCode;
  /** What the user can do next, e.g. "run `cbadm connection list`". */
  readonly hint: string | undefined;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
  }
  /** Stable JSON shape for `--json` error output. */
  toJSON(): Record<string, unknown> {
    return { kind: this.kind, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** The user gave bad input: a flag, a manifest field, a state that forbids the action. */
export class UsageError extends CbError {
  readonly kind = 'usage';
  readonly exitCode = ExitCode.Usage;
  readonly issues: FieldIssue[];
  constructor(message: string, opts: { hint?: string; issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, opts);
    this.issues = opts.issues ?? [];
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.issues.length ? { issues: this.issues } : {}) };
  }
}

export class NotFoundError extends CbError {
  readonly kind = 'not-found';
  readonly exitCode = ExitCode.NotFound;
  constructor(
    readonly what: string,
    readonly objectName: string,
    opts: { hint?: string } = {},
  ) {
    super(`${what} '${objectName}' not found`, opts);
  }
}

/** Another process holds the lock, or the object is in a state that conflicts with the request. */
export class ConflictError extends CbError {
  readonly kind = 'conflict';
  readonly exitCode = ExitCode.Conflict;
}

export type ProviderErrorClass =
  | 'throttled'
  | 'capacity'
  | 'quota'
  | 'not-found'
  | 'auth'
  | 'invalid'
  | 'conflict'
  | 'unavailable'
  | 'other';

/** A cloud said no. Carries the provider's own code and whether retrying can help. */
export class ProviderError extends CbError {
  readonly kind = 'provider';
  readonly exitCode = ExitCode.Error;
  readonly provider: string;
  readonly code: string;
  readonly errorClass: ProviderErrorClass;
  readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  /** For a socket failure (ECONNREFUSED…): the `host:port` that did not answer. */
  readonly endpoint: string | undefined;
  constructor(opts: {
    provider: string;
    code: string;
    message: string;
    errorClass: ProviderErrorClass;
    retryable: boolean;
    httpStatus?: number;
    endpoint?: string;
    hint?: string;
    cause?: unknown;
  }) {
    super(`${opts.provider}: ${opts.code}: ${opts.message}`, opts);
    this.provider = opts.provider;
    this.code = opts.code;
    this.errorClass = opts.errorClass;
    this.retryable = opts.retryable;
    this.httpStatus = opts.httpStatus;
    this.endpoint = opts.endpoint;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      provider: this.provider,
      code: this.code,
      errorClass: this.errorClass,
      retryable: this.retryable,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    };
  }
}

/** Some of the work succeeded and some did not; the result says which. */
export class PartialError extends CbError {
  readonly kind = 'partial';
  readonly exitCode = ExitCode.Partial;
  constructor(
    message: string,
    readonly result: unknown,
    opts: { hint?: string } = {},
  ) {
    super(message, opts);
  }
}

/** Something we did wrong: report it as a bug. */
export class BugError extends CbError {
  readonly kind = 'bug';
  readonly exitCode = ExitCode.Error;
}

/** A failure with no better classification (I/O, network to a cloud, SSH). */
export class OperationError extends CbError {
  readonly kind = 'error';
  readonly exitCode = ExitCode.Error;
}

export function isCbError(e: unknown): e is CbError {
  return e instanceof CbError;
}

/** Exit code for any thrown value: typed errors carry theirs, anything else is 1. */
export function exitCodeOf(e: unknown): ExitCode {
  return isCbError(e) ? e.exitCode : ExitCode.Error;
}

/** A host presented a key other than the one pinned for it: refuse, it may be an impostor. */
export class HostKeyMismatchError extends ConflictError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly expectedFingerprint: string,
    readonly actualFingerprint: string,
    opts: { hint?: string } = {},
  ) {
    super(
      `host key for [${host}]:${port} changed: pinned ${expectedFingerprint}, offered ${actualFingerprint}; refusing to connect`,
      opts,
    );
  }
}
