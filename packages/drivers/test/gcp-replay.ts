/**
 * Replays recorded GCE responses through the real SDK stack (@google-cloud/compute's REST
 * transport, google-auth-library's JWT client, gaxios): a `fetch` that answers each request from a
 * fixture file (or an inline body) and records what was sent. The connection has no endpoint, so
 * this is the path to Google itself; no socket is opened.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Connection } from '@cloud-barista/core';
import { buildGcpDriver, type GcpDriverInternals } from '../src/gcp/index.js';
import { testConnectionOf } from './connection.js';
import { ReplySequences } from './replies.js';

const FIXTURES = new URL('./fixtures/gce/', import.meta.url);

export function gceFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

export interface Reply {
  status?: number;
  /** A file under test/fixtures/gce, or an inline body. */
  file?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

export interface RecordedCall {
  method: string;
  url: URL;
  /** Path below /compute/v1/projects/{project}/, e.g. `zones/us-central1-a/instances`. */
  path: string;
  body: string;
  headers: Headers;
}

/** `METHOD path-regex` → reply, a sequence (one per call; the last repeats), or a function. */
export type Routes = Record<string, Reply | Reply[] | ((call: RecordedCall) => Reply)>;

/** Google's error JSON, as the Compute API sends it. */
export function gceError(code: number, reason: string, message = `${reason} (replayed)`): Reply {
  return { status: code, json: { error: { code, message, errors: [{ message, domain: 'global', reason }] } } };
}

export class GceReplay {
  readonly calls: RecordedCall[] = [];
  private readonly served = new ReplySequences<string>();

  constructor(private readonly routes: Routes) {}

  callsTo(route: string): RecordedCall[] {
    const [method, pattern] = route.split(' ') as [string, string];
    return this.calls.filter((c) => c.method === method && new RegExp(`^${pattern}$`).test(c.path));
  }

  private reply(call: RecordedCall): Reply {
    if (call.url.pathname === '/token') {
      return { json: { access_token: 'ya29.replayed', expires_in: 3599, token_type: 'Bearer' } };
    }
    for (const [key, route] of Object.entries(this.routes)) {
      const [method, pattern] = key.split(' ') as [string, string];
      if (method !== call.method || !new RegExp(`^${pattern}$`).test(call.path)) continue;
      if (typeof route === 'function') return route(call);
      if (!Array.isArray(route)) return route;
      const r = this.served.next(key, route);
      if (!r) throw new Error(`empty reply list for ${key}`);
      return r;
    }
    return gceError(404, 'notFound', `no replay route for ${call.method} ${call.path}`);
  }

  readonly fetch = async (input: unknown, init?: { method?: string; body?: unknown; headers?: unknown }): Promise<Response> => {
    const url = new URL(input instanceof URL ? input.href : String(input));
    const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '';
    const call: RecordedCall = {
      method: (init?.method ?? 'GET').toUpperCase(),
      url,
      path: url.pathname.replace(/^\/compute\/v1\/projects\/[^/]+\/?/, ''),
      body,
      headers: new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]),
    };
    this.calls.push(call);
    const r = this.reply(call);
    const text = r.file ? readFileSync(new URL(r.file, FIXTURES), 'utf8') : JSON.stringify(r.json ?? {});
    return new Response(text, { status: r.status ?? 200, headers: { 'content-type': 'application/json; charset=UTF-8', ...r.headers } });
  };
}

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** A service-account key for Google (token_uri is Google's; the replay answers it). */
export const REPLAY_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'project_name',
  private_key_id: 'replay',
  private_key: privateKey,
  client_email: 'replay@project_name.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
});

export function replayConnection(over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'replay', provider: 'gcp', region: 'us-central1', zone: 'us-central1-a', createdAt: new Date(0).toISOString(), ...over });
}

export function replayDriver(routes: Routes, opts: { maxAttempts?: number; connection?: Partial<Connection>; internals?: GcpDriverInternals } = {}) {
  const replay = new GceReplay(routes);
  const driver = buildGcpDriver(
    {
      connection: replayConnection(opts.connection),
      credentials: { kind: 'gcp-service-account', keyJson: REPLAY_KEY },
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    },
    { fetch: replay.fetch as unknown as NonNullable<GcpDriverInternals['fetch']>, retry: { minDelayMs: 1, maxDelayMs: 5 }, ...opts.internals },
  );
  return { driver, replay };
}
