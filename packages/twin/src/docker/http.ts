/**
 * The Docker Engine API on a Unix socket (`<stateDir>/docker.sock`, what `DOCKER_HOST=unix://…`
 * names) and on a loopback TCP port. Paths may carry the `/v1.xx` prefix clients send; a newer
 * version than the twin speaks is refused as the daemon refuses it. `POST /exec/{id}/start` with
 * `Upgrade: tcp` is hijacked: `101 UPGRADED`, then the raw stream over the socket.
 */
import { randomUUID } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Faults } from '../faults.js';
import { sendJson } from '../http/io.js';
import { listenPreferring } from '../http/listen.js';
import type { OnRequest } from '../http/types.js';
import { sleep } from '../sleep.js';
import { DockerError } from './errors.js';
import { type DockerApi, matchRoute } from './routes.js';
import { MULTIPLEXED, RAW, readUpgradeBody, upgraded } from './stream.js';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from './views.js';

export interface DockerHttpDeps {
  api: DockerApi;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

const HEADERS = { 'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: `Docker/${ENGINE_VERSION} (linux)` };

const versionNumber = (v: string) => v.split('.').reduce((n, p) => n * 1000 + Number(p), 0);

/** Strips `/v1.43`; throws the daemon's 400 for a version outside what it speaks. */
function unversioned(path: string): string {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (!m) return path;
  const v = m[1]!;
  if (versionNumber(v) > versionNumber(API_VERSION)) throw new DockerError(400, `client version ${v} is too new. Maximum supported API version is ${API_VERSION}`);
  if (versionNumber(v) < versionNumber(MIN_API_VERSION)) throw new DockerError(400, `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  return m[2]!;
}

/** A fault rule's code as the daemon would fail: throttling 429, anything else 500. */
function faultError(code: string): DockerError {
  return new DockerError(/throttl|toomany|ratelimit/i.test(code) ? 429 : 500, code);
}

async function handle(deps: DockerHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://docker');
  let status = 200;
  let op: string | undefined;
  let code: string | undefined;
  for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
  try {
    const path = unversioned(url.pathname);
    const match = matchRoute(req.method ?? 'GET', path);
    if (!match) throw new DockerError(404, 'page not found');
    op = match.route.op;
    await applyFaults(deps, op);
    await match.route.handle({ req, res, query: url.searchParams, params: match.params, api: deps.api });
    status = res.statusCode;
  } catch (e) {
    const error = e instanceof DockerError ? e : new DockerError(500, e instanceof Error ? e.message : String(e));
    if (!(e instanceof DockerError)) console.error('cloud-twin: internal error (docker)', e);
    status = error.status;
    code = String(error.status);
    if (!res.headersSent) sendJson(res, error.status, { message: error.message });
    else res.destroy();
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId: randomUUID(), provider: 'docker', region: deps.api.state.host.name, action: op, status, code, ms: Date.now() - started });
}

async function applyFaults(deps: DockerHttpDeps, op: string): Promise<void> {
  if (op === 'SystemPing') return;
  if (deps.faults.isDown(deps.api.state.host.name)) throw new DockerError(503, 'Service Unavailable');
  const fault = deps.faults.decide(op, deps.api.state.host.name, 'docker');
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.code) throw faultError(fault.code);
}

/** A hijacked exec start: answers errors as HTTP, then streams over the bare socket. */
async function hijack(deps: DockerHttpDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const fail = (status: number, message: string) => {
    const text = `${JSON.stringify({ message })}\n`;
    socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 409 ? 'Conflict' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nApi-Version: ${API_VERSION}\r\n\r\n${text}`);
  };
  try {
    const path = unversioned(new URL(req.url ?? '/', 'http://docker').pathname);
    const m = /^\/exec\/([^/]+)\/start$/.exec(path);
    if (req.method !== 'POST' || !m) throw new DockerError(404, 'page not found');
    await applyFaults(deps, 'ExecStart');
    const raw = await readUpgradeBody(req, socket, head);
    const e = deps.api.execs.get(decodeURIComponent(m[1]!));
    deps.api.execs.checkStartable(e);
    upgraded(socket, e.tty ? RAW : MULTIPLEXED, HEADERS);
    socket.resume();
    socket.on('error', () => {});
    let text = raw.toString('utf8');
    if (!text.trim()) text = '{}';
    const opts = JSON.parse(text) as { Detach?: boolean };
    if (opts.Detach) {
      void deps.api.execs.run(e, {});
      socket.end();
      return;
    }
    await deps.api.execs.run(e, { out: socket, input: e.attachStdin ? socket : undefined });
    socket.end();
  } catch (e) {
    if (e instanceof DockerError) fail(e.status, e.message);
    else fail(500, e instanceof Error ? e.message : String(e));
  }
}

export interface DockerListener {
  /** `unix:///…/docker.sock` */
  socketUrl: string;
  /** `tcp://127.0.0.1:PORT` */
  tcpUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Hijacked sockets leave the HTTP server's bookkeeping: closing the twin ends them here. */
const hijacked = new WeakMap<Server, Set<Socket>>();

function serve(deps: DockerHttpDeps): Server {
  const server = createServer((req, res) => void handle(deps, req, res));
  const sockets = new Set<Socket>();
  hijacked.set(server, sockets);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void hijack(deps, req, socket, head);
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

/** Starts both listeners; the socket file is replaced if a previous twin left one. */
export async function startDockerListener(deps: DockerHttpDeps, socketPath: string, host: string, port: { port?: number | undefined; preferred?: number | undefined }): Promise<DockerListener> {
  const unixServer = serve(deps);
  const tcpServer = serve(deps);
  try {
    unlinkSync(socketPath);
  } catch {
    // none there
  }
  await new Promise<void>((resolve, reject) => {
    unixServer.once('error', reject);
    unixServer.listen(socketPath, () => {
      unixServer.off('error', reject);
      resolve();
    });
  });
  try {
    await listenPreferring(tcpServer, host, port);
  } catch (e) {
    unixServer.close();
    throw e;
  }
  const addr = tcpServer.address() as AddressInfo;
  const closeOne = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
      for (const socket of hijacked.get(s) ?? []) socket.destroy();
    });
  return {
    socketUrl: `unix://${socketPath}`,
    tcpUrl: `tcp://${addr.address}:${addr.port}`,
    port: addr.port,
    close: async () => {
      await Promise.all([closeOne(unixServer), closeOne(tcpServer)]);
    },
  };
}
