/**
 * Replays recorded ARM responses through the real Azure SDK: an HttpClient that answers each
 * request from a fixture file (or an inline body) by method and path, and records what the SDK
 * sent. No sockets: the connection's endpoint is a loopback address nothing listens on.
 */
import { readFileSync } from 'node:fs';
import type { Connection } from '@cloud-barista/core';
import { buildAzureDriver } from '../src/azure/index.js';
import type { HttpClient, TokenCredential } from '../src/azure/client.js';
import { testConnectionOf } from './connection.js';
import { ReplySequences } from './replies.js';

const FIXTURES = new URL('./fixtures/azure_arm/', import.meta.url);
export const SUB = '99999999-9999-9999-9999-999999999999';

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixture(name)) as Record<string, unknown>;
}

export interface Reply {
  status?: number;
  file?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Sent {
  method: string;
  url: URL;
  body: string;
}

/** Route keys: `METHOD regex-over-the-path` (the path lower-cased, no query). */
export type Routes = Array<[string, RegExp, Reply | Reply[] | ((sent: Sent) => Reply)]>;

class Headers {
  private readonly m = new Map<string, string>();
  constructor(init: Record<string, string>) {
    for (const [k, v] of Object.entries(init)) this.m.set(k.toLowerCase(), v);
  }
  get(n: string) {
    return this.m.get(n.toLowerCase());
  }
  has(n: string) {
    return this.m.has(n.toLowerCase());
  }
  set(n: string, v: string | number | boolean) {
    this.m.set(n.toLowerCase(), String(v));
  }
  delete(n: string) {
    this.m.delete(n.toLowerCase());
  }
  toJSON() {
    return Object.fromEntries(this.m);
  }
  [Symbol.iterator]() {
    return this.m.entries();
  }
}

export class ArmReplay {
  readonly sent: Sent[] = [];
  private readonly served = new ReplySequences<number>();
  constructor(private readonly routes: Routes) {}

  to(method: string, path: RegExp): Sent[] {
    return this.sent.filter((s) => s.method === method && path.test(s.url.pathname.toLowerCase()));
  }

  private reply(s: Sent): Reply {
    const i = this.routes.findIndex(([m, re]) => m === s.method && re.test(s.url.pathname.toLowerCase()));
    const route = this.routes[i];
    if (!route) return { status: 404, body: { error: { code: 'NoReplayRoute', message: `no replay route for ${s.method} ${s.url.pathname}` } } };
    const r = route[2];
    if (typeof r === 'function') return r(s);
    if (!Array.isArray(r)) return r;
    return this.served.next(i, r) ?? {};
  }

  readonly httpClient = {
    sendRequest: async (request: { method: string; url: string; body?: unknown }) => {
      const sent: Sent = { method: request.method, url: new URL(request.url), body: typeof request.body === 'string' ? request.body : '' };
      this.sent.push(sent);
      const r = this.reply(sent);
      const text = r.file ? fixture(r.file) : r.body === undefined ? '' : JSON.stringify(r.body);
      return {
        request,
        status: r.status ?? 200,
        headers: new Headers({ ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...r.headers }),
        bodyAsText: text,
      };
    },
  } as unknown as HttpClient;
}

/** A token without an identity service: replays test ARM, not the credential. */
export const STATIC_TOKEN: TokenCredential = { getToken: async () => ({ token: 'replay-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

export function replayConnection(over: Partial<Connection> = {}): Connection {
  // Loopback only: the replaying HttpClient answers first, and nothing could leave the host anyway.
  return testConnectionOf({ name: 'replay', provider: 'azure', region: 'eastus', endpoint: 'https://127.0.0.1:9', subscription: SUB, resourceGroup: '000000', createdAt: new Date(0).toISOString(), ...over });
}

export function replayDriver(routes: Routes, opts: { maxAttempts?: number; connection?: Partial<Connection> } = {}) {
  const replay = new ArmReplay(routes);
  const driver = buildAzureDriver(
    // Replays answer at once: a short throttling deadline keeps a permanent throttle quick.
    { connection: replayConnection(opts.connection), credentials: { kind: 'default-chain' }, ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}), throttleWaitMs: 300 },
    { httpClient: replay.httpClient, credential: STATIC_TOKEN, tuning: { pollIntervalMs: 1 }, retryDelayMs: 1, maxRetryDelayMs: 5 },
  );
  return { driver, replay };
}
