/**
 * A small typed Cloudit client on fetch, following CB-Spider's Cloudit REST client: URLs are
 * `{identity endpoint}/cloudit/v5.0/{iam|ace|dna}/v1.0/{tenant}/…`, every call carries an IAM token
 * in `X-Auth-Token`, issued from the user's id, password and tenant on first use, again before it
 * expires, and again once when a call answers 401 (CB-Spider's ReauthFunc). Failures become
 * ProviderErrors (./errors.ts); throttled and unavailable answers are retried (common/retry.ts).
 */
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { type IssuedToken, RenewingToken } from '../common/token.js';
import { CiHttpError, clouditFailure, socketFailure } from './errors.js';

export type CiService = 'iam' | 'ace' | 'dna';

/** The API version CB-Spider's driver speaks. */
export const CLOUDIT_VERSION = 'v5.0';

export interface CiClientOptions {
  /** The identity base: paths start with /cloudit/v5.0 under it. */
  endpoint: string;
  username: string;
  password: string;
  tenantId: string;
  maxAttempts?: number;
  throttleWaitMs?: number;
  /** Issue a new token this long before the current one expires (default 5 minutes, at most half its life). */
  renewBeforeMs?: number;
  minDelayMs?: number;
  fetch?: typeof fetch;
}

interface Token extends IssuedToken {
  value: string;
}

export class CiClient {
  private readonly token: RenewingToken<Token>;
  private readonly fetchImpl: typeof fetch;
  /** How many tokens this client has had issued (tests read it). */
  tokensIssued = 0;

  constructor(private readonly o: CiClientOptions) {
    this.fetchImpl = o.fetch ?? fetch;
    this.token = new RenewingToken(() => this.issue(), o.renewBeforeMs ?? 300_000);
  }

  get tenantId(): string {
    return this.o.tenantId;
  }

  private get secrets(): string[] {
    const t = this.token.peek();
    return [this.o.password, ...(t ? [t.value] : [])];
  }

  private url(service: CiService, path: string, tenant = true): string {
    return `${this.o.endpoint.replace(/\/+$/, '')}/cloudit/${CLOUDIT_VERSION}/${service}/v1.0${tenant ? `/${encodeURIComponent(this.o.tenantId)}` : ''}${path}`;
  }

  private async issue(): Promise<Token> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url('iam', '/auth', false), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ id: this.o.username, password: this.o.password, tenant: this.o.tenantId }),
      });
    } catch (e) {
      throw socketFailure(e);
    }
    const text = await res.text();
    if (!res.ok) throw new CiHttpError(res.status, text, res.headers);
    const body = JSON.parse(text) as { token: string; expiresAt?: string };
    this.tokensIssued++;
    const now = Date.now();
    return { value: body.token, issuedAt: now, expiresAt: Date.parse(body.expiresAt ?? '') || now + 3_600_000 };
  }


  /** A call to one of the tenant's services; the parsed JSON answer (undefined when empty). */
  async call<T = Record<string, unknown>>(service: CiService, method: string, path: string, body?: unknown): Promise<T> {
    const policy = {
      maxAttempts: this.o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      minDelayMs: this.o.minDelayMs ?? 200,
      maxDelayMs: 10_000,
      throttleWaitMs: this.o.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
    };
    return withRetry(() => this.once<T>(service, method, path, body), (e) => clouditFailure(e, this.secrets), policy);
  }

  private async once<T>(service: CiService, method: string, path: string, body: unknown, retried = false): Promise<T> {
    const token = await this.token.get();
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(service, path), {
        method,
        headers: { 'x-auth-token': token.value, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw socketFailure(e);
    }
    const text = await res.text();
    // A token that expired early or was revoked: one fresh token, one more try.
    if (res.status === 401 && !retried) {
      await this.token.get(true);
      return this.once<T>(service, method, path, body, true);
    }
    if (!res.ok) throw new CiHttpError(res.status, text, res.headers);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
