/**
 * A small typed OpenStack client on fetch, as Libcloud and gophercloud have one: a Keystone v3
 * session (token issued on first use, issued again before it expires or when a service answers
 * 401) and calls to a service by catalog type (`compute`, `network`, `image`), the endpoint picked
 * by type, interface and region. Nova calls carry the microversion header. Every failure becomes a
 * ProviderError (./errors.ts); throttled and unavailable answers are retried (common/retry.ts).
 */
import { OperationError } from '@cloud-barista/core/errors';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { RenewingToken } from '../common/token.js';
import type { OsAuthConfig } from './auth.js';
import { failureOf, openstackFailure, OsHttpError } from './errors.js';

export type OsServiceType = 'compute' | 'network' | 'image';

/** The Nova microversion the driver speaks: tags on create (2.52), embedded flavor (2.47), no key generation (2.92 not needed). */
export const NOVA_MICROVERSION = '2.79';

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

export interface OsClientOptions {
  auth: OsAuthConfig;
  region: string;
  /** Endpoint interface (default public). */
  interface?: string;
  maxAttempts?: number;
  throttleWaitMs?: number;
  /** Issue a new token this long before the current one expires (default 5 minutes, capped at half its life). */
  renewBeforeMs?: number;
  fetch?: typeof fetch;
  minDelayMs?: number;
}

interface Session {
  token: string;
  expiresAt: number;
  issuedAt: number;
  catalog: CatalogEntry[];
  projectId: string;
  /** The project roles the token carries, if Keystone listed them. */
  roles?: string[];
}

export class OsClient {
  private readonly session: RenewingToken<Session>;
  private readonly fetchImpl: typeof fetch;
  readonly region: string;
  /** How many tokens this client has had issued (tests read it). */
  tokensIssued = 0;

  constructor(private readonly o: OsClientOptions) {
    this.fetchImpl = o.fetch ?? fetch;
    this.region = o.region;
    this.session = new RenewingToken(() => this.issue(), o.renewBeforeMs ?? 300_000);
  }

  get secrets(): string[] {
    return this.o.auth.secrets;
  }

  private tokensUrl(): string {
    const base = this.o.auth.authUrl.replace(/\/+$/, '');
    return `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
  }

  private async issue(): Promise<Session> {
    const res = await this.fetchImpl(this.tokensUrl(), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ auth: this.o.auth.request }) });
    const text = await res.text();
    if (!res.ok) throw new OsHttpError('identity', res.status, text, res.headers);
    const token = res.headers.get('x-subject-token');
    const body = JSON.parse(text) as { token: { expires_at: string; issued_at?: string; catalog?: CatalogEntry[]; project?: { id: string }; roles?: { name: string }[] } };
    if (!token || !body.token.project) throw new OperationError('Keystone issued no project-scoped token: the credential names no project (set project_name or project_id)');
    this.tokensIssued++;
    return { token, expiresAt: Date.parse(body.token.expires_at), issuedAt: Date.parse(body.token.issued_at ?? '') || Date.now(), catalog: body.token.catalog ?? [], projectId: body.token.project.id, ...(body.token.roles ? { roles: body.token.roles.map((r) => r.name) } : {}) };
  }

  /** A token good for a while yet: re-issued before expiry, one issue in flight at a time. */
  private current(force = false): Promise<Session> {
    return this.session.get(force);
  }

  /** The token's roles on the project (undefined when Keystone did not list them). */
  async roles(): Promise<string[] | undefined> {
    return (await this.current()).roles;
  }

  async projectId(): Promise<string> {
    return (await this.current()).projectId;
  }

  /** The catalog's URL for a service type in the client's region and interface. */
  async endpoint(type: OsServiceType, region = this.region): Promise<string> {
    const s = await this.current();
    const iface = this.o.interface ?? 'public';
    const entry = s.catalog.find((c) => c.type === type);
    const ep = entry?.endpoints.find((e) => e.interface === iface && (e.region_id ?? e.region) === region);
    if (!ep) {
      const regions = [...new Set(entry?.endpoints.map((e) => e.region_id ?? e.region) ?? [])].join(', ') || 'none';
      throw new OperationError(`the OpenStack catalog has no ${iface} ${type} endpoint in region '${region}' (regions with one: ${regions})`, {
        hint: 'check the connection region (cbadm connection add … --region NAME) against `openstack catalog list`',
      });
    }
    const url = ep.url.replace(/\/+$/, '');
    // Neutron and Glance endpoints are unversioned in most catalogs; Nova's carry /v2.1 already.
    if (type === 'network') return /\/v2\.0$/.test(url) ? url : `${url}/v2.0`;
    if (type === 'image') return /\/v2$/.test(url) ? url : `${url}/v2`;
    return url;
  }

  /** The regions the catalog has a compute endpoint in. */
  async regions(): Promise<string[]> {
    const s = await this.current();
    const compute = s.catalog.find((c) => c.type === 'compute');
    return [...new Set(compute?.endpoints.map((e) => e.region_id ?? e.region ?? '').filter(Boolean) ?? [])];
  }

  /** GET/POST/PUT/DELETE on a service (in `region`, default the client's); the parsed JSON answer (undefined when there is no body). */
  async call<T = Record<string, unknown>>(type: OsServiceType, method: string, path: string, body?: unknown, region?: string): Promise<T> {
    const policy = {
      maxAttempts: this.o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      minDelayMs: this.o.minDelayMs ?? 200,
      maxDelayMs: 10_000,
      throttleWaitMs: this.o.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
    };
    return withRetry(() => this.once<T>(type, method, path, body, region ?? this.region), (e) => openstackFailure(e, this.secrets), policy);
  }

  private async once<T>(type: OsServiceType, method: string, path: string, body: unknown, region: string, retried = false): Promise<T> {
    const s = await this.current();
    const url = `${await this.endpoint(type, region)}${path}`;
    const headers: Record<string, string> = { 'x-auth-token': s.token, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    if (type === 'compute') headers['openstack-api-version'] = `compute ${NOVA_MICROVERSION}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw failureOf(e);
    }
    const text = await res.text();
    // A token revoked or expired early: one fresh token, one more try.
    if (res.status === 401 && !retried) {
      await this.current(true);
      return this.once<T>(type, method, path, body, region, true);
    }
    if (!res.ok) throw new OsHttpError(type, res.status, text, res.headers);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
