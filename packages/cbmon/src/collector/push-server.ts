/**
 * Push mode: agents installed with `--push URL` POST line protocol here, as they would to InfluxDB
 * (`/write` and `/api/v2/write`, `Authorization: Token …`, optional gzip), so other writers that
 * speak InfluxDB (telegraf) can push too. A token belongs to one MCIS: lines for another MCIS, or
 * for a VM that MCIS does not have, are refused.
 */
import { listen } from '../listen.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '@cloud-barista/core/errors';
import { LineProtocolError, parseLine, type LpPoint, type Precision } from '../lineproto.js';
import type { Sample } from '../sample.js';
import { groupPushed } from './assemble.js';

const MAX_BODY = 16 * 1024 * 1024;

export interface PushServerOptions {
  host: string;
  port: number;
  /** The MCIS a token belongs to. */
  tokenOwner: (token: string) => { ns: string; mcis: string } | undefined;
  /** The MCIS's VMs (name → subgroup, csp, region), or undefined when the MCIS is gone. */
  vmsOf: (
    ns: string,
    mcis: string,
  ) => Map<string, { subgroup: string; csp: string; region: string }> | undefined;
  accept: (samples: Sample[]) => void;
  log: (line: string) => void;
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ code, message }));
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  const m = auth ? /^(?:Token|Bearer)\s+(\S+)$/i.exec(auth) : null;
  if (m) return m[1];
  return url.searchParams.get('p') ?? undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function handleWrite(
  req: IncomingMessage,
  res: ServerResponse,
  o: PushServerOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://push');
  if (url.pathname === '/health' || url.pathname === '/ping') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname !== '/write' && url.pathname !== '/api/v2/write')
    return reply(res, 404, 'not found', 'POST line protocol to /write or /api/v2/write');
  if (req.method !== 'POST') return reply(res, 405, 'method not allowed', 'use POST');
  const token = tokenOf(req, url);
  const owner = token ? o.tokenOwner(token) : undefined;
  if (!owner)
    return reply(
      res,
      401,
      'unauthorized',
      'missing or unknown token: agents get theirs from cbmon agent install --push',
    );
  const precision = (url.searchParams.get('precision') ?? 'ns') as Precision;
  if (!['ns', 'us', 'ms', 's'].includes(precision))
    return reply(res, 400, 'invalid', `precision must be ns, us, ms or s, got '${precision}'`);
  let body = await readBody(req);
  if (body === 'too-large')
    return reply(res, 413, 'request too large', `at most ${MAX_BODY} bytes per write`);
  if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
    try {
      body = gunzipSync(body);
    } catch {
      return reply(res, 400, 'invalid', 'body is not valid gzip');
    }
  }
  const points: LpPoint[] = [];
  try {
    for (const line of body.toString('utf8').split('\n')) {
      const p = parseLine(line);
      if (p) points.push(p);
    }
  } catch (e) {
    return reply(res, 400, 'invalid', e instanceof LineProtocolError ? e.message : String(e));
  }
  const { samples, untagged } = groupPushed(points, precision, Date.now());
  if (untagged) return reply(res, 400, 'invalid', `${untagged} line(s) without ns, mcis and vm tags`);
  const vms = o.vmsOf(owner.ns, owner.mcis);
  if (!vms) return reply(res, 404, 'not found', `MCIS '${owner.mcis}' no longer exists`);
  for (const s of samples) {
    if (s.ref.ns !== owner.ns || s.ref.mcis !== owner.mcis) {
      return reply(
        res,
        403,
        'forbidden',
        `this token writes MCIS ${owner.ns}/${owner.mcis}, not ${s.ref.ns}/${s.ref.mcis}`,
      );
    }
    const vm = vms.get(s.ref.vm);
    if (!vm) return reply(res, 400, 'invalid', `MCIS '${owner.mcis}' has no VM '${s.ref.vm}'`);
    // The record is authoritative for where a VM runs; writers may leave these tags out.
    s.ref = { ...s.ref, subgroup: vm.subgroup, csp: vm.csp, region: vm.region };
  }
  o.accept(samples);
  res.writeHead(204).end();
}

export async function startPushServer(o: PushServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handleWrite(req, res, o).catch((e: unknown) => {
      o.log(`push: ${(e as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'internal error', (e as Error).message);
    });
  });
  const base = await listen(server, o.host, o.port, '--listen');
  return { server, url: `${base}/write` };
}

/** `127.0.0.1:8086`, `:8086`, `8086` → host and port (loopback when no host is given). */
export function parseListen(text: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new UsageError(`${flag}: '${text}' is not HOST:PORT`, {
      hint: `e.g. ${flag} 127.0.0.1:8086 (0.0.0.0 to accept other machines)`,
    });
  }
  return { host: m[1] || '127.0.0.1', port };
}
