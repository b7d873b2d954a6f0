/**
 * The Engine API's routes (after the `/v1.xx` prefix): one table of method, path pattern,
 * operation id (the name faults and the request log use) and handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson } from '../http/io.js';
import type { Containers } from './containers.js';
import { parseSignal } from './containers.js';
import type { DockerState } from './engine.js';
import { badParameter, DockerError } from './errors.js';
import type { Execs } from './exec.js';
import { familiarReference, pullProgress } from './images.js';
import { MULTIPLEXED, RAW, frame } from './stream.js';
import * as view from './views.js';
import type { DockerContainer } from './model.js';

export interface DockerApi {
  state: DockerState;
  containers: Containers;
  execs: Execs;
  stateDir: string;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  params: string[];
  api: DockerApi;
}

type Handler = (c: RouteContext) => Promise<void> | void;

export interface Route {
  method: string;
  path: RegExp;
  op: string;
  handle: Handler;
}

const noContent = (res: ServerResponse, status = 204) => res.writeHead(status).end();
const flag = (q: URLSearchParams, name: string) => ['1', 'true', 'True'].includes(q.get(name) ?? '');
const optionalInt = (q: URLSearchParams, name: string) => (q.get(name) === null || q.get(name) === '' ? undefined : Number(q.get(name)));

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = await readJson(req);
  } catch {
    throw badParameter('invalid JSON body');
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** `filters={"label":["a=b"]}` or the older `{"label":{"a=b":true}}`: name → values. */
export function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badParameter(`invalid filter '${raw}'`);
  }
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    out.set(k, Array.isArray(v) ? v.map(String) : Object.keys((v ?? {})));
  }
  return out;
}

function hasLabels(labels: Record<string, string>, wanted: string[] = []): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? w in labels : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

function listContainers({ res, query, api }: RouteContext): void {
  const filters = parseFilters(query.get('filters'));
  const all = flag(query, 'all');
  let list = [...api.state.containers.values()]
    .filter((c) => all || c.status === 'running' || c.status === 'paused' || c.status === 'restarting' || filters.has('status'))
    .filter((c) => hasLabels(c.config.Labels, filters.get('label')))
    .filter((c) => !filters.get('name') || filters.get('name')!.some((n) => c.name.includes(n.replace(/^\//, ''))))
    .filter((c) => !filters.get('id') || filters.get('id')!.some((i) => c.id.startsWith(i)))
    .filter((c) => !filters.get('status') || filters.get('status')!.includes(c.status))
    .sort((a, b) => b.created.localeCompare(a.created));
  const limit = optionalInt(query, 'limit');
  if (limit !== undefined && limit > 0) list = list.slice(0, limit);
  sendJson(res, 200, list.map((c) => view.containerSummary(api.state, c)));
}

async function pull({ res, query, api }: RouteContext): Promise<void> {
  const from = query.get('fromImage');
  if (!from) throw badParameter('"fromImage" is required: the image to pull');
  const reference = familiarReference(from, query.get('tag') ?? undefined);
  const { image, alreadyHere } = api.state.pull(reference);
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const line of pullProgress(reference, image, alreadyHere)) res.write(`${JSON.stringify(line)}\r\n`);
  res.end();
}

function logs({ res, query, api, params }: RouteContext): void {
  const c = api.state.container(params[0]!);
  const want = new Set<number>([...(flag(query, 'stdout') ? [1] : []), ...(flag(query, 'stderr') ? [2] : [])]);
  if (!want.size) throw badParameter('Bad parameters: you must choose at least one stream');
  const timestamps = flag(query, 'timestamps');
  const p = api.containers.processes(c.id);
  const tail = query.get('tail');
  const since = Number(query.get('since') ?? 0);
  let entries = p.log().filter((e) => want.has(e.stream) && Date.parse(e.time) / 1000 >= since);
  if (tail && tail !== 'all') entries = entries.slice(-Math.max(0, Number(tail)));
  res.writeHead(200, { 'content-type': c.config.Tty ? RAW : MULTIPLEXED });
  const write = (e: { stream: 1 | 2; data: Buffer; time: string }) => {
    const data = timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.data]) : e.data;
    res.write(c.config.Tty ? data : frame(e.stream, data));
  };
  entries.forEach(write);
  if (!flag(query, 'follow') || (c.status !== 'running' && c.status !== 'paused')) {
    res.end();
    return;
  }
  const onLog = (e: { stream: 1 | 2; data: Buffer; time: string }) => want.has(e.stream) && write(e);
  const onExit = () => {
    p.off('log', onLog);
    res.end();
  };
  p.on('log', onLog);
  p.once('exit', onExit);
  res.once('close', () => {
    p.off('log', onLog);
    p.off('exit', onExit);
  });
}

async function wait({ res, api, params }: RouteContext): Promise<void> {
  const c = api.state.container(params[0]!);
  if (c.status === 'running' || c.status === 'paused') await api.containers.processes(c.id).mainExited();
  sendJson(res, 200, { StatusCode: c.exitCode, Error: null });
}

/** Runs `fn` on the named container and answers 204, or 304 when it was already in that state. */
const onContainer = (fn: (c: DockerContainer, ctx: RouteContext) => Promise<boolean | void> | boolean | void): Handler => async (ctx) => {
  const changed = await fn(ctx.api.state.container(ctx.params[0]!), ctx);
  noContent(ctx.res, changed === false ? 304 : 204);
};

async function startExecStreamed({ res, api, params, req }: RouteContext): Promise<void> {
  const e = api.execs.get(params[0]!);
  const opts = await body(req);
  if (opts.Detach === true) {
    api.execs.checkStartable(e);
    void api.execs.run(e, {});
    noContent(res, 200);
    return;
  }
  api.execs.checkStartable(e);
  res.writeHead(200, { 'content-type': e.tty ? RAW : MULTIPLEXED });
  await api.execs.run(e, { out: res, input: req });
  res.end();
}

export const ROUTES: Route[] = [
  { method: 'GET', path: /^\/_ping$/, op: 'SystemPing', handle: ({ res }) => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, no-store, must-revalidate' }).end('OK') },
  { method: 'HEAD', path: /^\/_ping$/, op: 'SystemPing', handle: ({ res }) => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end() },
  { method: 'GET', path: /^\/version$/, op: 'SystemVersion', handle: ({ res }) => sendJson(res, 200, view.versionView()) },
  { method: 'GET', path: /^\/info$/, op: 'SystemInfo', handle: ({ res, api }) => sendJson(res, 200, view.infoView(api.state, api.stateDir)) },
  { method: 'POST', path: /^\/images\/create$/, op: 'ImageCreate', handle: pull },
  { method: 'GET', path: /^\/images\/json$/, op: 'ImageList', handle: ({ res, api }) => sendJson(res, 200, [...api.state.images.values()].map((i) => view.imageSummary(api.state, i))) },
  { method: 'GET', path: /^\/images\/(.+)\/json$/, op: 'ImageInspect', handle: ({ res, api, params }) => sendJson(res, 200, view.imageInspect(api.state.image(params[0]!))) },
  { method: 'DELETE', path: /^\/images\/(.+)$/, op: 'ImageDelete', handle: ({ res, api, params, query }) => sendJson(res, 200, api.state.removeImage(params[0]!, flag(query, 'force'))) },
  {
    method: 'POST',
    path: /^\/containers\/create$/,
    op: 'ContainerCreate',
    handle: async ({ req, res, query, api }) => sendJson(res, 201, { Id: api.containers.create(query.get('name') ?? undefined, await body(req)).id, Warnings: [] }),
  },
  { method: 'GET', path: /^\/containers\/json$/, op: 'ContainerList', handle: listContainers },
  {
    method: 'GET',
    path: /^\/containers\/([^/]+)\/json$/,
    op: 'ContainerInspect',
    handle: ({ res, api, params }) => {
      const c = api.state.container(params[0]!);
      sendJson(res, 200, view.containerInspect(api.state, c, api.containers.homeDir(c)));
    },
  },
  { method: 'POST', path: /^\/containers\/([^/]+)\/start$/, op: 'ContainerStart', handle: onContainer((c, { api }) => api.containers.start(c)) },
  {
    method: 'POST',
    path: /^\/containers\/([^/]+)\/stop$/,
    op: 'ContainerStop',
    handle: onContainer((c, { api, query }) => api.containers.stop(c, optionalInt(query, 't') ?? optionalInt(query, 'timeout'), query.get('signal') ? parseSignal(query.get('signal') ?? '', 'SIGTERM') : undefined)),
  },
  { method: 'POST', path: /^\/containers\/([^/]+)\/restart$/, op: 'ContainerRestart', handle: onContainer((c, { api, query }) => api.containers.restart(c, optionalInt(query, 't'))) },
  { method: 'POST', path: /^\/containers\/([^/]+)\/kill$/, op: 'ContainerKill', handle: onContainer((c, { api, query }) => api.containers.kill(c, parseSignal(query.get('signal') ?? undefined, 'SIGKILL'))) },
  { method: 'POST', path: /^\/containers\/([^/]+)\/pause$/, op: 'ContainerPause', handle: onContainer((c, { api }) => api.containers.pause(c)) },
  { method: 'POST', path: /^\/containers\/([^/]+)\/unpause$/, op: 'ContainerUnpause', handle: onContainer((c, { api }) => api.containers.unpause(c)) },
  { method: 'POST', path: /^\/containers\/([^/]+)\/wait$/, op: 'ContainerWait', handle: wait },
  { method: 'POST', path: /^\/containers\/([^/]+)\/resize$/, op: 'ContainerResize', handle: onContainer(() => undefined) },
  {
    method: 'DELETE',
    path: /^\/containers\/([^/]+)$/,
    op: 'ContainerDelete',
    handle: onContainer(async (c, { api, query }) => {
      await api.containers.remove(c, flag(query, 'force'));
      api.execs.forget(c.id);
    }),
  },
  { method: 'GET', path: /^\/containers\/([^/]+)\/logs$/, op: 'ContainerLogs', handle: logs },
  {
    method: 'POST',
    path: /^\/containers\/([^/]+)\/exec$/,
    op: 'ContainerExec',
    handle: async ({ req, res, api, params }) => sendJson(res, 201, { Id: api.execs.create(api.state.container(params[0]!), await body(req)).id }),
  },
  { method: 'POST', path: /^\/exec\/([^/]+)\/start$/, op: 'ExecStart', handle: startExecStreamed },
  { method: 'POST', path: /^\/exec\/([^/]+)\/resize$/, op: 'ExecResize', handle: ({ res, api, params }) => void (api.execs.get(params[0]!), noContent(res, 200)) },
  { method: 'GET', path: /^\/exec\/([^/]+)\/json$/, op: 'ExecInspect', handle: ({ res, api, params }) => sendJson(res, 200, api.execs.inspect(api.execs.get(params[0]!))) },
  {
    method: 'POST',
    path: /^\/networks\/create$/,
    op: 'NetworkCreate',
    handle: async ({ req, res, api }) => {
      const b = await body(req);
      if (typeof b.Name !== 'string' || !b.Name) throw badParameter('network name is required: set "Name"');
      const driver = typeof b.Driver === 'string' && b.Driver ? b.Driver : 'bridge';
      if (driver !== 'bridge') throw new DockerError(404, `plugin "${driver}" not found`);
      const labels = Object.fromEntries(Object.entries((b.Labels ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      sendJson(res, 201, { Id: api.state.addNetwork(b.Name, driver, labels).Id, Warning: '' });
    },
  },
  {
    method: 'GET',
    path: /^\/networks$/,
    op: 'NetworkList',
    handle: ({ res, query, api }) => {
      const f = parseFilters(query.get('filters'));
      const nets = [...api.state.networks.values()]
        .filter((n) => hasLabels(n.Labels, f.get('label')))
        .filter((n) => !f.get('name') || f.get('name')!.some((x) => n.Name.includes(x)))
        .filter((n) => !f.get('id') || f.get('id')!.some((x) => n.Id.startsWith(x)));
      sendJson(res, 200, nets.map((n) => view.networkView(api.state, n)));
    },
  },
  { method: 'GET', path: /^\/networks\/([^/]+)$/, op: 'NetworkInspect', handle: ({ res, api, params }) => sendJson(res, 200, view.networkView(api.state, api.state.network(params[0]!))) },
  { method: 'DELETE', path: /^\/networks\/([^/]+)$/, op: 'NetworkDelete', handle: ({ res, api, params }) => (api.state.removeNetwork(params[0]!), noContent(res)) },
];

export function matchRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.path.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}
