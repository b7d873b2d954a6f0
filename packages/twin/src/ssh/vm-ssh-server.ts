/**
 * The SSH server behind every Cloud-Twin VM: one per running instance, bound to the instance's own
 * loopback address, accepting only the instance's key pair and running real commands in its home dir.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey } from 'ssh2';
import { ProcessTracker } from './proc.js';
import { VmSession, type VmInside } from './session.js';
import { loadableKey } from '../vm/keys.js';

const { Server: SshServer, utils } = ssh2;

export interface VmSshServerOptions {
  /** Address to bind, e.g. the VM's public IP on loopback (127.x.y.z). */
  host: string;
  port: number;
  /** OpenSSH-format private host key (see generateHostKey). */
  hostKey: string;
  /** Public keys allowed to log in as `user`: 'ssh-ed25519 AAAA… comment' lines. */
  authorizedKeys: string[];
  /** Working directory and HOME of every command; created if missing. */
  homeDir: string;
  /** The only user name accepted (e.g. `ubuntu`). */
  user: string;
  /** Extra environment for every command, below what the client sends with `env` requests. */
  env?: Record<string, string>;
  /**
   * A socket already listening (an isolated VM's, made inside its network namespace): used instead
   * of binding `host:port`.
   */
  listener?: Server;
  /** Runs every command inside the VM (an isolated VM's namespaces) instead of on the host. */
  inside?: VmInside;
}

export interface VmSshServer {
  /**
   * Stops listening, kills every process any session started (including background ones that outlived
   * their session), ends every connection, and resolves when all of it is gone. Idempotent.
   */
  close(): Promise<void>;
  /** The host key's public half, 'ssh-ed25519 AAAA…' (what a client pins in known_hosts). */
  readonly hostPublicKey: string;
}

/** A fresh ed25519 host key in OpenSSH format; `publicKey` is 'ssh-ed25519 AAAA…' without comment. */
export function generateHostKey(): { privateKey: string; publicKey: string } {
  // ssh2's generator makes an unloadable key about once in 256 (see ../vm/keys.ts): retry those.
  return loadableKey(() => {
    const pair = utils.generateKeyPairSync('ed25519');
    return { privateKey: pair.private, publicKey: pair.public.trim() };
  });
}

function parseOne(text: string, what: string): ParsedKey {
  // Typed as one key, but ssh2 may hand back an array for OpenSSH-format files.
  const parsed: unknown = utils.parseKey(text);
  const key = (Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed) as ParsedKey | Error | undefined;
  if (key === undefined || key instanceof Error) {
    const reason = key instanceof Error ? key.message : 'no key found';
    throw new Error(`${what}: cannot parse key: ${reason}`);
  }
  return key;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Grace for clients to close their side after we disconnect them, before sockets are destroyed. */
const SOCKET_CLOSE_GRACE_MS = 1_000;
/** Upper bound on waiting for killed processes to be reaped during close(). */
const CHILD_EXIT_GRACE_MS = 5_000;

/**
 * Starts an SSH server for one VM. Rejects (leaving nothing listening) if the address is unusable,
 * e.g. EADDRINUSE, or if the host key or an authorized key cannot be parsed.
 */
export async function startVmSshServer(opts: VmSshServerOptions): Promise<VmSshServer> {
  const hostKey = parseOne(opts.hostKey, 'hostKey');
  if (hostKey.isPrivateKey() !== true) throw new Error('hostKey: not a private key');
  const allowed = opts.authorizedKeys
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, i) => parseOne(line, `authorizedKeys[${i}]`));
  const allowedBlobs = allowed.map((k) => k.getPublicSSH());
  const hostPublicKey = `${hostKey.type} ${hostKey.getPublicSSH().toString('base64')}`;
  mkdirSync(opts.homeDir, { recursive: true });

  const tracker = new ProcessTracker();
  const sessions = new Set<VmSession>();
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  let closing = false;

  const checkAuth = (ctx: AuthContext): void => {
    if (ctx.method !== 'publickey' || ctx.username !== opts.user) {
      ctx.reject(['publickey']);
      return;
    }
    const index = allowedBlobs.findIndex((blob) => sameBytes(blob, ctx.key.data));
    const key = allowed[index];
    if (key === undefined) {
      ctx.reject(['publickey']);
      return;
    }
    // Without a signature the client only asks whether this key would do; with one, it must verify.
    if (ctx.signature === undefined) {
      ctx.accept();
      return;
    }
    if (ctx.blob !== undefined && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
      ctx.accept();
    } else {
      ctx.reject(['publickey']);
    }
  };

  const ssh = new SshServer({ hostKeys: [opts.hostKey], ident: 'CloudTwin_0.1' });
  ssh.on('error', () => {
    // Per-connection errors are handled below; nothing listens on the ssh2 server itself.
  });
  ssh.on('connection', (conn: Connection, info) => {
    if (closing) {
      conn.end();
      return;
    }
    connections.add(conn);
    const sshConnection = `${info.ip} ${info.port} ${opts.host} ${opts.port}`;
    const mine = new Set<VmSession>();
    conn.on('error', () => {
      // Resets and protocol errors end the connection; 'close' cleans up.
    });
    conn.on('authentication', checkAuth);
    conn.on('session', (accept) => {
      const session = accept();
      const vmSession = new VmSession(session, {
        homeDir: opts.homeDir,
        user: opts.user,
        env: opts.env ?? {},
        sshConnection,
        tracker,
        isClosing: () => closing,
        ...(opts.inside ? { inside: opts.inside } : {}),
      });
      sessions.add(vmSession);
      mine.add(vmSession);
      session.once('close', () => {
        void vmSession.whenIdle().then(() => {
          sessions.delete(vmSession);
          mine.delete(vmSession);
        });
      });
    });
    conn.on('close', () => {
      connections.delete(conn);
      for (const s of mine) s.hangup();
    });
  });

  const onSocket = (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    ssh.injectSocket(socket);
  };
  const net = opts.listener ?? createServer();
  net.on('connection', onSocket);

  if (!opts.listener) await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      net.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      net.off('error', onError);
      resolve();
    };
    net.once('error', onError);
    net.once('listening', onListening);
    net.listen({ host: opts.host, port: opts.port, exclusive: true });
  });
  net.on('error', () => {});

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const listenerClosed = new Promise<void>((resolve) => net.close(() => resolve()));
      tracker.killAll();
      await withTimeout(Promise.all([...sessions].map((s) => s.whenIdle())), CHILD_EXIT_GRACE_MS);
      // A second sweep catches anything forked while the first one ran.
      tracker.killAll();
      for (const conn of connections) conn.end();
      const socketsClosed = Promise.all(
        [...sockets].map(
          (s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))),
        ),
      );
      const grace = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, SOCKET_CLOSE_GRACE_MS);
      await socketsClosed;
      clearTimeout(grace);
      await listenerClosed;
    })();
    return closed;
  };

  return { close, hostPublicKey };
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
