/** Shared helpers for Cloud-Twin tests: a twin in a temp dir, SDK clients, raw calls, SSH. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import ssh2 from 'ssh2';
import { generateHostKey } from '../src/ssh/vm-ssh-server.js';
import { startTwin, type Twin, type TwinOptions } from '../src/twin.js';
import { loadableKey } from '../src/vm/keys.js';

/** The SDK signer's hash interface over node:crypto (what @smithy/hash-node does). */
export class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.h.digest());
  }
}

export interface TestTwin {
  twin: Twin;
  stateDir: string;
  logs: string[];
  client(region?: string): EC2Client;
  /** Closes clients and the twin, removes the state dir. */
  cleanup(): Promise<void>;
}

/** A random high port for VM SSH servers, so twins of concurrently running test files do not meet. */
export function randomSshPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

export function ec2Client(twin: Twin, region = 'us-east-1'): EC2Client {
  return new EC2Client({
    region,
    endpoint: twin.endpoints.aws,
    credentials: twin.credentials.aws,
    maxAttempts: 1,
  });
}

export async function startTestTwin(over: Partial<TwinOptions> = {}): Promise<TestTwin> {
  const stateDir = over.stateDir ?? mkdtempSync(join(tmpdir(), 'cb-twin-test-'));
  const logs: string[] = [];
  const twin = await startTwin({
    bootDelayMs: 50,
    stopDelayMs: 20,
    sshPort: randomSshPort(),
    log: (m) => logs.push(m),
    ...over,
    stateDir,
  });
  const clients: EC2Client[] = [];
  return {
    twin,
    stateDir,
    logs,
    client(region = 'us-east-1') {
      const c = ec2Client(twin, region);
      clients.push(c);
      return c;
    },
    async cleanup() {
      for (const c of clients) c.destroy();
      await twin.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A call to the twin's admin API (`/_twin<path>`) with its admin token. */
export function admin(twin: Twin, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${twin.adminUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${twin.credentials.admin}` } });
}

/** The error an SDK call fails with (fails the test if it succeeds). */
export async function ec2Error(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

/**
 * A raw EC2 Query call, signed (SigV4, by the AWS SDK's own signer) for `region` with the twin's
 * key or `o.keys`, at `o.signingDate`; `region: null` sends it unsigned. With `o.presign` the
 * signature goes in the query string of a GET, as a presigned URL carries it.
 */
export async function rawCall(
  twin: Twin,
  params: Record<string, string>,
  region: string | null = 'us-east-1',
  o: { keys?: { accessKeyId: string; secretAccessKey: string }; signingDate?: Date; presign?: boolean } = {},
): Promise<{ status: number; text: string }> {
  const url = new URL(`${twin.endpoints.aws}/`);
  const query = { Version: '2016-11-15', ...params };
  const body = new URLSearchParams(query).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (region === null) {
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text() };
  }
  const signer = new SignatureV4({ service: 'ec2', region, credentials: o.keys ?? twin.credentials.aws, sha256: Sha256 });
  const at = { ...(o.signingDate ? { signingDate: o.signingDate } : {}) };
  const request = { method: o.presign ? 'GET' : 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host } };
  if (o.presign) {
    const signed = await signer.presign({ ...request, query }, { ...at, expiresIn: 300 });
    const q = new URLSearchParams(signed.query as Record<string, string>).toString();
    const res = await fetch(`${twin.endpoints.aws}/?${q}`);
    return { status: res.status, text: await res.text() };
  }
  // fetch sets Host itself, to the same value that was signed.
  const signed = (await signer.sign({ ...request, headers: { ...headers, host: url.host }, body }, at)).headers;
  delete signed.host;
  const res = await fetch(url, { method: 'POST', headers: signed, body });
  return { status: res.status, text: await res.text() };
}

/**
 * Element paths of an XML document ("a/b/c"), list items folded to "item": enough to compare
 * the shape of a response with a real sample.
 */
export function xmlPaths(xml: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z_][\w:.-]*)([^>]*?)(\/?)>/g;
  for (const m of xml.replace(/<\?[^>]*\?>/g, '').matchAll(re)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      stack.pop();
      continue;
    }
    stack.push(name ?? '');
    out.add(stack.join('/'));
    if (selfClosing) stack.pop();
  }
  return out;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A user key pair (OpenSSH private key + 'ssh-ed25519 AAAA…' public line). */
export function userKey(): { privateKey: string; publicKey: string } {
  return loadableKey(generateHostKey);
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  hostKey: string;
}

/** Runs one command over SSH with the ssh2 client; rejects if login fails. */
export function sshExec(host: string, port: number, username: string, privateKey: string, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    let hostKey = '';
    c.on('error', reject);
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) {
          c.end();
          reject(err);
          return;
        }
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        stream.on('close', (code: number | null) => {
          c.end();
          resolve({ code, stdout, stderr, hostKey });
        });
      });
    });
    c.connect({
      host,
      port,
      username,
      privateKey,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        hostKey = key.toString('base64');
        return true;
      },
    });
  });
}

/** Whether a TCP connection to host:port is accepted (false when refused). */
export function tcpOpen(host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** One HTTPS call to the twin's Azure listener (trusting its CA); the body as JSON. */
export function azureCall(twin: Twin, method: string, path: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, twin.endpoints.azure), { method, ca: readFileSync(twin.caFile), headers: o.headers ?? {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const azureTokens = new WeakMap<Twin, Promise<string>>();

/** An ARM access token from the twin's identity endpoint for its service principal (one per twin). */
export function azureToken(twin: Twin): Promise<string> {
  let t = azureTokens.get(twin);
  if (!t) {
    const { tenantId, clientId, clientSecret } = twin.credentials.azure;
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://management.azure.com/.default' }).toString();
    t = azureCall(twin, 'POST', `/${tenantId}/oauth2/v2.0/token`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => {
      if (typeof r.body.access_token !== 'string') throw new Error(`no Azure token from the twin: ${JSON.stringify(r.body)}`);
      return r.body.access_token;
    });
    azureTokens.set(twin, t);
  }
  return t;
}
