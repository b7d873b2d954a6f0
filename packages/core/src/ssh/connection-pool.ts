/** SSH connections: authentication, host-key pinning, bounded parallelism, typed connect errors. */
import { statSync } from 'node:fs';
import type { ConnectConfig, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { ssh2 } from './load.js';
import { ConflictError, HostKeyMismatchError, OperationError, type CbError } from '../errors.js';
import { Semaphore } from '../util/limit.js';
import { fingerprintSha256, keyTypeOfBlob, loadPrivateKey } from './keys.js';
import { KnownHosts, knownHostsName } from './known-hosts.js';
import { describeTarget, type SshExecutorOptions, type SshTarget } from './types.js';
import { abortReason } from '../util/abort.js';

type SshClient = import('ssh2').Client;

const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_CONNECTIONS = 64;
const RETRYABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

export interface Connected {
  client: SshClient;
  hostKey: Buffer;
}

/**
 * Opens authenticated connections with host keys checked against known_hosts (pinned on first use),
 * at most `maxConnections` at once, and hangs them all up on close.
 */
export class SshConnectionPool {
  private readonly knownHosts: KnownHosts;
  readonly connectTimeoutMs: number;
  private readonly slots: Semaphore;
  private readonly clients = new Set<SshClient>();
  /** Private keys parsed once per file version, not once per connection (hundreds at once). */
  private readonly keys = new Map<string, { stamp: string; key: ParsedKey }>();
  private closed = false;

  constructor(private readonly opts: SshExecutorOptions) {
    this.knownHosts = new KnownHosts(opts.knownHostsPath);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.slots = new Semaphore(opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  /** Runs `fn` holding one of the `maxConnections` slots. */
  withSlot<T>(fn: () => Promise<T>): Promise<T> {
    return this.slots.run(fn);
  }

  /** Ends every open connection (running commands are hung up) and refuses further operations. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('close', () => resolve());
          c.end();
          // A peer that never answers our disconnect must not hold close() forever.
          setTimeout(() => {
            c.destroy();
            resolve();
          }, 2_000).unref();
        }),
    );
    await Promise.all(pending);
    this.clients.clear();
  }

  assertOpen(): void {
    if (this.closed) throw new OperationError('SSH executor is closed');
  }

  release(client: SshClient): void {
    this.clients.delete(client);
    client.end();
  }

  /** Connects and authenticates; the host key is checked against known_hosts on the way. */
  async connect(
    target: SshTarget,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<Connected> {
    if (signal?.aborted) throw abortReason(signal);
    const privateKey = this.privateKey(target.privateKeyPath);
    const client = new (ssh2().Client)();
    this.clients.add(client);
    let hostKeyError: CbError | undefined;
    let hostKey: Buffer | undefined;

    const verify = (key: Buffer): boolean => {
      hostKey = key;
      const keyType = keyTypeOfBlob(key);
      const keyBase64 = key.toString('base64');
      try {
        const verdict = this.knownHosts.check(target.host, target.port, keyType, keyBase64);
        if (verdict === 'new') this.knownHosts.pin(target.host, target.port, keyType, keyBase64);
        if (verdict !== 'mismatch') return true;
        const pinned = this.knownHosts.lookup(target.host, target.port);
        const expected =
          pinned.map((k) => `${k.keyType} ${fingerprintSha256(k.keyBase64)}`).join(', ') || '(revoked)';
        const name = knownHostsName(target.host, target.port);
        hostKeyError = new HostKeyMismatchError(
          target.host,
          target.port,
          expected,
          `${keyType} ${fingerprintSha256(key)}`,
          {
            hint:
              `if ${target.label ?? 'the VM'} was really rebuilt, drop the old key with ` +
              `\`ssh-keygen -R '${name}' -f ${this.opts.knownHostsPath}\` and retry; otherwise something may be ` +
              `impersonating it`,
          },
        );
      } catch (e) {
        hostKeyError =
          e instanceof OperationError || e instanceof ConflictError
            ? e
            : new OperationError(
                `cannot use known_hosts ${this.opts.knownHostsPath}: ${(e as Error).message}`,
                { cause: e },
              );
      }
      return false;
    };

    const auth: PublicKeyAuthMethod = { type: 'publickey', username: target.user, key: privateKey };
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: timeoutMs,
      hostVerifier: verify,
      authHandler: [auth],
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    };

    return new Promise<Connected>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | undefined) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          this.clients.delete(client);
          client.destroy();
          reject(err);
        } else {
          resolve({ client, hostKey: hostKey ?? Buffer.alloc(0) });
        }
      };
      const onAbort = () => settle(abortReason(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('ready', () => settle(undefined));
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        settle(hostKeyError ?? this.connectError(target, err, timeoutMs));
      });
      client.on('close', () =>
        settle(hostKeyError ?? this.connectError(target, new Error('connection closed'), timeoutMs)),
      );
      client.connect(config);
    });
  }

  /** The key at `path`, parsed again only when the file changed (a rewritten key is used at once). */
  private privateKey(path: string): ParsedKey {
    let stamp: string | undefined;
    try {
      const st = statSync(path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // loadPrivateKey says what is wrong with the file.
    }
    const had = this.keys.get(path);
    if (stamp && had?.stamp === stamp) return had.key;
    const { key } = loadPrivateKey(path);
    if (stamp) this.keys.set(path, { stamp, key });
    return key;
  }

  private connectError(
    target: SshTarget,
    err: Error & { level?: string; code?: string },
    timeoutMs: number,
  ): OperationError {
    const where = describeTarget(target);
    if (err.level === 'client-authentication') {
      return new OperationError(`SSH authentication failed for ${where}: the server refused the key`, {
        hint: `the VM accepts only the key pair it was launched with: check ${target.privateKeyPath} and user '${target.user}'`,
        cause: err,
      });
    }
    const reachHint = `check that the VM is running and that its security group allows TCP port ${target.port}`;
    if (err.level === 'client-timeout') {
      return new OperationError(`SSH to ${where} timed out after ${timeoutMs} ms`, {
        hint: reachHint,
        cause: err,
      });
    }
    const code = err.code ? `${err.code}` : err.message;
    if (err.code && RETRYABLE_SOCKET_CODES.has(err.code)) {
      return new OperationError(`cannot connect to ${where}: ${code}`, { hint: reachHint, cause: err });
    }
    return new OperationError(`SSH connection to ${where} failed: ${err.message}`, {
      hint: reachHint,
      cause: err,
    });
  }

}
