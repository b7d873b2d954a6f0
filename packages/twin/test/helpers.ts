/** Shared helpers for Cloud-Twin tests: a twin in a temp dir, SDK clients, raw calls, SSH. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import ssh2 from 'ssh2';
import { generateHostKey } from '../src/ssh/vm-ssh-server.js';
import { startTwin, type Twin, type TwinOptions } from '../src/twin.js';
import { loadableKey } from '../src/vm/keys.js';

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
    credentials: { accessKeyId: 'AKIATWINTEST', secretAccessKey: 'secret' },
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

/** A raw EC2 Query call, signed-looking for `region` (the twin reads the scope, not the signature). */
export async function rawCall(
  twin: Twin,
  params: Record<string, string>,
  region: string | null = 'us-east-1',
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (region !== null) {
    headers.authorization = `AWS4-HMAC-SHA256 Credential=AKIATWINTEST/20240101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=00`;
  }
  const res = await fetch(`${twin.endpoints.aws}/`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
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
