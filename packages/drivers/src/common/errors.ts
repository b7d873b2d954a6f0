/**
 * The error shape every driver shares: which ProviderError classes a retry can help, "not found"
 * and "has this code" tests, socket codes, and Retry-After. Each cloud's own code tables stay in
 * its `errors.ts`; this module knows no cloud.
 */
import { ProviderError, type ProviderErrorClass } from '@cloud-barista/core/errors';

/** Whether waiting and asking again can change the answer, per class. */
export const RETRYABLE: Readonly<Record<ProviderErrorClass, boolean>> = {
  throttled: true,
  // Capacity comes back as the cloud frees hosts; another zone, size or a later try can succeed.
  capacity: true,
  unavailable: true,
  quota: false,
  'not-found': false,
  auth: false,
  invalid: false,
  conflict: false,
  other: false,
};

/** Node socket errors: the endpoint did not answer, so a retry (later) can help. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

type SocketErrorShape = { code?: unknown; address?: unknown; port?: unknown; cause?: unknown; errors?: unknown; error?: unknown; config?: { url?: unknown }; request?: { url?: unknown } };

/** host:port of a URL (IPv6 hosts keep their brackets), the scheme's default port when it names none. */
function hostPort(url: unknown): string | undefined {
  if (typeof url !== 'string' && !(url instanceof URL)) return undefined;
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

/**
 * The `host:port` a socket failure could not reach, for a caller that knows what listens there (a
 * local emulator, a proxy) and can say more than "connection refused". Node's socket error carries
 * address and port; an HTTP client's wrapper carries the request's URL (gaxios `config.url`, Azure
 * RestError `request.url`); either may sit in a `cause` chain or an AggregateError's `errors`.
 */
export function socketEndpoint(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 4) return undefined;
  const err = e as SocketErrorShape;
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code) && typeof err.address === 'string' && typeof err.port === 'number') {
    return err.address.includes(':') ? `[${err.address}]:${err.port}` : `${err.address}:${err.port}`;
  }
  const nested: unknown[] = [err.cause, err.error, ...(Array.isArray(err.errors) ? (err.errors as unknown[]) : [])];
  for (const inner of nested) {
    const found = socketEndpoint(inner, depth + 1);
    if (found) return found;
  }
  return hostPort(err.config?.url) ?? hostPort(err.request?.url);
}

/** What an HTTP status alone says, for an error code a cloud's own tables do not know. */
export function classifyHttpStatus(httpStatus: number | undefined): ProviderErrorClass {
  if (httpStatus === undefined) return 'other';
  if (httpStatus === 404) return 'not-found';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  if (httpStatus === 409) return 'conflict';
  if (httpStatus === 400) return 'invalid';
  if (httpStatus >= 500) return 'unavailable';
  return 'other';
}

/**
 * The rest of a code from an EC2-style Query API (EC2, ECS), after the cloud's own tables: the
 * code's spelling says not-found (`X.NotFound`) or invalid (`InvalidX`, `MissingX`, `X.Malformed`…),
 * `unavailable` (the cloud's set) and socket codes are the service's absence, and an unknown 5xx
 * is the service's fault.
 */
export function classifyQueryCode(code: string, httpStatus: number | undefined, unavailable: ReadonlySet<string>): ProviderErrorClass {
  if (code.endsWith('.NotFound') || code === 'NotFound') return 'not-found';
  if (unavailable.has(code) || NETWORK_CODES.has(code)) return 'unavailable';
  if (/^(Invalid|Missing|Unknown|Unsupported)/.test(code) || /\.(Malformed|ValueNotSupported)$/.test(code) || code === 'ValidationError') return 'invalid';
  return httpStatus !== undefined && httpStatus >= 500 ? 'unavailable' : 'other';
}

/** The fields any thrown value may carry, read loosely: each SDK throws its own shape. */
export interface Thrown {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** `e`'s fields, as the SDK's error shape `T` (an empty record for a thrown non-object). */
export function fieldsOf<T extends Thrown>(e: unknown): T {
  return (typeof e === 'object' && e !== null ? e : {}) as T;
}

/** True when `e` is a ProviderError the cloud reported as "no such thing". */
export function isNotFound(e: unknown): boolean {
  return e instanceof ProviderError && e.errorClass === 'not-found';
}

/** True when `e` is a ProviderError with one of `codes` (the cloud's own error codes). */
export function hasCode(e: unknown, ...codes: string[]): boolean {
  return e instanceof ProviderError && codes.includes(e.code);
}

/** A `Retry-After` value (delta seconds or an HTTP date) in milliseconds. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait a response asks for: ARM's `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds)
 * first, then the standard `Retry-After`.
 */
export function retryAfterOf(header: (name: string) => string | null | undefined): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(header(name) ?? undefined);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  return retryAfterMs(header('retry-after'));
}

/** `text` with each secret blanked: an upstream message may echo one back. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('****');
  return out;
}

/** A failure a driver has read and classified, before it becomes a ProviderError. */
export interface ClassifiedFailure {
  provider: string;
  code: string;
  /** Already redacted. */
  message: string;
  errorClass: ProviderErrorClass;
  httpStatus?: number | undefined;
  hint?: string | undefined;
  /** The raw error; leave it out when its text held a secret. */
  cause?: unknown;
  /** For a socket failure: the host:port that did not answer (socketEndpoint). */
  endpoint?: string | undefined;
}

/** The ProviderError for a classified failure; whether a retry can help follows from its class. */
export function classifiedError(f: ClassifiedFailure): ProviderError {
  return new ProviderError({
    provider: f.provider,
    code: f.code,
    message: f.message,
    errorClass: f.errorClass,
    retryable: RETRYABLE[f.errorClass],
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    ...(f.hint ? { hint: f.hint } : {}),
    ...(f.cause !== undefined ? { cause: f.cause } : {}),
    ...(f.endpoint && NETWORK_CODES.has(f.code) ? { endpoint: f.endpoint } : {}),
  });
}

/** What one cloud's errors.ts feeds `cloudError`: how its codes classify and what each class tells the user. */
export interface ErrorTable {
  provider: string;
  /** The class of a code the cloud answered (`message` only where a cloud documents that it must decide). */
  classify: (code: string, httpStatus?: number, message?: string) => ProviderErrorClass;
  hints: Partial<Record<ProviderErrorClass, string>>;
  /** The hint for a denial that names what was refused; undefined for the class's own hint. */
  denied?: (a: Denial) => string | undefined;
}

/** A classified answer, for a cloud that reads what was refused from it. */
export interface Denial {
  code: string;
  /** Already redacted. */
  message: string;
  errorClass: ProviderErrorClass;
  /** The raw error, where a cloud names the refused action in a field of its own. */
  cause: unknown;
}

/** A failure as a driver read it off its SDK's or client's error: the cloud's code, text and status. */
export interface CloudAnswer {
  code: string;
  /** The cloud's own text, not yet redacted. */
  message: string;
  httpStatus?: number | undefined;
  /** The raw error. */
  cause?: unknown;
}

/** The ProviderError for what a cloud answered: classified, secrets blanked, with its hint. */
export function cloudError(t: ErrorTable, a: CloudAnswer, secrets: readonly string[] = []): ProviderError {
  const raw = a.message.trim() || a.code;
  const message = redact(raw, secrets);
  const errorClass = t.classify(a.code, a.httpStatus, message);
  return classifiedError({
    provider: t.provider,
    code: a.code,
    message,
    errorClass,
    httpStatus: a.httpStatus,
    hint: t.denied?.({ code: a.code, message, errorClass, cause: a.cause }) ?? t.hints[errorClass],
    // A message that had to be redacted means the raw error holds a secret: it does not travel along.
    cause: message === raw ? a.cause : undefined,
    endpoint: socketEndpoint(a.cause),
  });
}

/**
 * A cloud's hints per class. Throttling reads alike on every cloud (the retry loop already waited
 * as long as the command may), so only the API's name differs.
 */
export function classHints(api: string, o: { capacity: string; quota: string; auth: string }): Partial<Record<ProviderErrorClass, string>> {
  return { throttled: `the ${api} rate limit was hit even after retries; retry later or lower --parallelism`, ...o };
}

/** The hint for a denial naming what was refused: who lacks it, how to grant it, and the command that lists them all. */
export function lacksHint(who: string, what: string, grant: string, noun: 'permission' | 'action'): string {
  return `${who} lacks ${what}: grant it ${grant} (\`cbadm connection test NAME\` lists every ${noun} cbadm needs)`;
}
