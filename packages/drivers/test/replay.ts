/**
 * Replays recorded EC2 responses through the real SDK: a requestHandler that answers each Query
 * API action from a fixture file (or an inline body) and records what the SDK sent. No sockets.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { Connection, CredentialMaterial } from '@cloud-barista/core';
import { buildAwsDriver, type AwsDriverInternals } from '../src/aws/index.js';
import { testConnectionOf } from './connection.js';
import { ReplySequences } from './replies.js';

const FIXTURES = new URL('./fixtures/ec2/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface Reply {
  status?: number;
  /** A file under test/fixtures/ec2, or an inline body. */
  file?: string;
  body?: string;
}

/** One reply, a sequence (one per call; the last repeats), or a function of the request params. */
export type Route = Reply | Reply[] | ((params: URLSearchParams) => Reply);

export interface RecordedCall {
  action: string;
  params: URLSearchParams;
  headers: Record<string, string>;
}

/** The envelope EC2 wraps every error in (as in describe_key_pairs_doesnt_exist.xml). */
export function ec2Error(code: string, message = `${code} (replayed)`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>`;
}

/** An empty Describe* answer: `<{Action}Response><{set}/></…>`. */
export function emptySet(action: string, set: string): string {
  return `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-0</requestId><${set}/></${action}Response>`;
}

export class Replay {
  readonly calls: RecordedCall[] = [];
  private readonly served = new ReplySequences<string>();

  constructor(private readonly routes: Record<string, Route>) {}

  callsTo(action: string): RecordedCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  private reply(action: string, params: URLSearchParams): Reply {
    const route = this.routes[action];
    if (!route) return { status: 400, body: ec2Error('InvalidAction', `no replay route for ${action}`) };
    if (typeof route === 'function') return route(params);
    if (!Array.isArray(route)) return route;
    const r = this.served.next(action, route);
    if (!r) throw new Error(`empty reply list for ${action}`);
    return r;
  }

  readonly requestHandler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request: { body?: unknown; headers: Record<string, string> }) => {
      const params = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      const action = params.get('Action') ?? '';
      this.calls.push({ action, params, headers: { ...request.headers } });
      const r = this.reply(action, params);
      const body = r.body ?? (r.file ? fixture(r.file) : '');
      return {
        response: {
          statusCode: r.status ?? 200,
          reason: undefined,
          headers: { 'content-type': 'text/xml;charset=UTF-8' },
          body: Readable.from([Buffer.from(body, 'utf8')]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
}

export const TEST_KEYS: CredentialMaterial = {
  kind: 'aws-keys',
  accessKeyId: 'AKIAREPLAYTESTKEY000',
  secretAccessKey: 'replay-secret/DO-NOT-PRINT+0123456789abcdef',
};

export function testConnection(over: Partial<Connection> = {}): Connection {
  // Loopback only: the replay handler answers first, and nothing could leave the host anyway.
  return testConnectionOf({ name: 'replay', provider: 'aws', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', createdAt: new Date(0).toISOString(), ...over });
}

export function replayDriver(
  routes: Record<string, Route>,
  opts: {
    maxAttempts?: number;
    connection?: Partial<Connection>;
    tuning?: AwsDriverInternals['tuning'];
  } = {},
) {
  const replay = new Replay(routes);
  const driver = buildAwsDriver(
    {
      connection: testConnection(opts.connection),
      credentials: TEST_KEYS,
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
      // Replays answer at once: a short throttling deadline keeps a permanent throttle quick.
      throttleWaitMs: 300,
    },
    {
      client: { requestHandler: replay.requestHandler as EC2ClientConfig['requestHandler'] },
      throttleBackoff: { minDelayMs: 10, maxDelayMs: 50 },
      ...(opts.tuning ? { tuning: opts.tuning } : {}),
    },
  );
  return { driver, replay };
}

/** EC2's XML namespace, for inline answers. */
export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
/** The tags the driver puts on what it creates through the replay connection. */
export const REPLAY_TAGS = { 'cb-managed': 'true', 'cb-connection': 'replay' };
/** A network as the driver's ensureNetwork returns it, for calls that take one. */
export const REPLAY_NET = { networkId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1', extra: {} };
