/**
 * Push mode: agents installed with `--push URL` POST line protocol here, as they would to InfluxDB
 * (`/write` and `/api/v2/write`, `Authorization: Token …`, optional gzip), so other writers that
 * speak InfluxDB (telegraf) can push too. A token belongs to one VM whose agent was installed in
 * push mode: it writes that VM's samples and nothing else.
 *
 * Nothing a writer sends can make the collector hold more than a bounded amount: the body (raw and
 * decompressed) is read as a stream, line by line, with caps on bytes, lines and line length, and
 * each VM has a line budget per second.
 */
import { listen } from '../listen.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type Gunzip } from 'node:zlib';
import { UsageError } from '@cloud-barista/core/errors';
import { parseLine, timestampToMs, type Precision } from '../lineproto.js';
import type { Sample } from '@cloud-barista/agent/sample';
import { pointProblem, timeProblem, toSamplePoint } from './assemble.js';

export interface PushLimits {
  /** Bytes per request, raw and after gunzip. */
  maxBodyBytes: number;
  /** Lines per request (blank lines count: they cost work too). */
  maxLines: number;
  /** Bytes per line. */
  maxLineBytes: number;
  /** Lines per second per VM, on average; one full request may come at once. */
  linesPerSecond: number;
}

export const PUSH_LIMITS: PushLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxLines: 100_000,
  maxLineBytes: 64 * 1024,
  linesPerSecond: 20_000,
};

export interface PushAgent {
  mode: 'push' | 'pull';
  intervalS: number;
  ringS: number;
}

export interface PushServerOptions {
  host: string;
  port: number;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The VM a token belongs to. */
  tokenOwner: (token: string) => { ns: string; mcis: string; vm: string } | undefined;
  /** The VM's agent record, if any. */
  agentOf: (ns: string, mcis: string, vm: string) => PushAgent | undefined;
  /** The MCIS's VMs (name → subgroup, csp, region), or undefined when the MCIS is gone. */
  vmsOf: (
    ns: string,
    mcis: string,
  ) => Map<string, { subgroup: string; csp: string; region: string }> | undefined;
  accept: (samples: Sample[]) => void;
  log: (line: string) => void;
  limits?: Partial<PushLimits>;
}

class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

function reply(res: ServerResponse, r: Refusal): void {
  res
    .writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...r.headers })
    .end(JSON.stringify({ code: r.code, message: r.message }));
}

function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const m = auth ? /^(?:Token|Bearer)\s+(\S+)$/i.exec(auth) : null;
  return m?.[1];
}

/** Lines per second per VM: a bucket that may go into debt, so one big write waits off its size. */
class LineBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  private bucket(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    return b;
  }

  /** Seconds to wait before writing again, or 0. */
  wait(key: string, now = Date.now()): number {
    const b = this.bucket(key, now);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.rate);
  }

  spend(key: string, lines: number, now = Date.now()): void {
    this.bucket(key, now).tokens -= lines;
  }
}

/**
 * Reads the body line by line (gunzipping as it goes), calling `onLine` for each. Resolves with a
 * Refusal when a bound is crossed or the gzip is broken: the rest of the body is then read and
 * dropped (up to maxBodyBytes, so the client gets its answer), or the connection is closed.
 */
function readLines(
  req: IncomingMessage,
  gzip: boolean,
  limits: PushLimits,
  onLine: (line: string) => void,
  onTooLong: () => void,
): Promise<{ lines: number; refusal?: Refusal; closeAfter?: boolean }> {
  return new Promise((resolve) => {
    const decoder = new StringDecoder('utf8');
    let raw = 0;
    let out = 0;
    let lines = 0;
    let carry = '';
    let discarding = false;
    let refusal: Refusal | undefined;
    let settled = false;
    const finish = (closeAfter = false) => {
      if (settled) return;
      settled = true;
      resolve({ lines, ...(refusal ? { refusal } : {}), ...(closeAfter ? { closeAfter } : {}) });
    };
    const refuse = (r: Refusal) => {
      if (refusal) return;
      refusal = r;
      gunzip?.destroy();
    };
    const tooLarge = (what: string) =>
      new Refusal(413, 'request too large', `${what}: send smaller batches`);
    const line = (text: string) => {
      lines++;
      if (lines > limits.maxLines) return refuse(tooLarge(`more than ${limits.maxLines} lines in one write`));
      if (discarding) {
        discarding = false;
        return undefined;
      }
      if (text.length > limits.maxLineBytes) return onTooLong();
      onLine(text);
      return undefined;
    };
    const feed = (chunk: Buffer) => {
      if (refusal) return;
      out += chunk.length;
      if (out > limits.maxBodyBytes) return refuse(tooLarge(`more than ${limits.maxBodyBytes} bytes`));
      let text = carry + decoder.write(chunk);
      let nl = text.indexOf('\n');
      let start = 0;
      while (nl !== -1 && !refusal) {
        line(text.slice(start, nl));
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      text = text.slice(start);
      if (text.length > limits.maxLineBytes) {
        // Too long to be a line: report it once and skip to the next newline.
        if (!discarding) onTooLong();
        discarding = true;
        text = '';
      }
      carry = text;
      return undefined;
    };
    const gunzip: Gunzip | undefined = gzip ? createGunzip() : undefined;
    gunzip?.on('data', feed);
    gunzip?.on('error', () => {
      refuse(new Refusal(400, 'invalid', 'body is not valid gzip'));
    });
    gunzip?.on('end', () => {
      if (!refusal && carry !== '' && !discarding) line(carry + decoder.end());
    });
    req.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limits.maxBodyBytes) {
        refuse(tooLarge(`more than ${limits.maxBodyBytes} bytes`));
        req.pause();
        finish(true);
        return;
      }
      if (refusal) return;
      if (gunzip) gunzip.write(chunk);
      else feed(chunk);
    });
    req.on('end', () => {
      if (!gunzip) {
        if (!refusal) {
          const rest = carry + decoder.end();
          if (rest !== '' && !discarding) line(rest);
        }
        finish();
      } else if (refusal) {
        finish();
      } else {
        gunzip.once('close', () => finish());
        gunzip.end();
      }
    });
    req.on('error', () => finish(true));
  });
}

export async function handleWrite(
  req: IncomingMessage,
  res: ServerResponse,
  o: PushServerOptions,
  budget: LineBudget,
  limits: PushLimits,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://push');
  if (url.pathname === '/health' || url.pathname === '/ping') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname !== '/write' && url.pathname !== '/api/v2/write')
    return reply(res, new Refusal(404, 'not found', 'POST line protocol to /write or /api/v2/write'));
  if (req.method !== 'POST') return reply(res, new Refusal(405, 'method not allowed', 'use POST'));
  if (url.searchParams.has('p') || url.searchParams.has('token'))
    return reply(
      res,
      new Refusal(401, 'unauthorized', 'a token in the URL is not accepted: send it as Authorization: Token …'),
    );
  const token = tokenOf(req);
  const owner = token ? o.tokenOwner(token) : undefined;
  if (!owner)
    return reply(
      res,
      new Refusal(401, 'unauthorized', 'missing or unknown token: agents get theirs from cbmon agent install --push'),
    );
  const agent = o.agentOf(owner.ns, owner.mcis, owner.vm);
  if (agent?.mode !== 'push')
    return reply(
      res,
      new Refusal(403, 'forbidden', `the agent of ${owner.mcis}/${owner.vm} is not installed in push mode`),
    );
  const vm = o.vmsOf(owner.ns, owner.mcis)?.get(owner.vm);
  if (!vm) return reply(res, new Refusal(404, 'not found', `MCIS '${owner.mcis}' has no VM '${owner.vm}' any more`));
  const key = `${owner.ns}/${owner.mcis}/${owner.vm}`;
  const wait = budget.wait(key);
  if (wait > 0) {
    req.resume();
    return reply(
      res,
      new Refusal(429, 'too many requests', `${owner.vm} writes more than ${limits.linesPerSecond} lines/s`, {
        'retry-after': String(wait),
      }),
    );
  }
  const precision = (url.searchParams.get('precision') ?? 'ns') as Precision;
  if (!['ns', 'us', 'ms', 's'].includes(precision))
    return reply(res, new Refusal(400, 'invalid', `precision must be ns, us, ms or s, got '${precision}'`));

  const now = Date.now();
  const ringMs = agent.ringS * 1000;
  const ref = { ns: owner.ns, mcis: owner.mcis, vm: owner.vm, ...vm };
  const bySample = new Map<string, Sample>();
  let bad = 0;
  let firstBad = '';
  let foreign: string | undefined;
  const badLine = (why: string) => {
    if (bad++ === 0) firstBad = why;
  };
  const read = await readLines(
    req,
    (req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip',
    limits,
    (text) => {
      let p;
      try {
        p = parseLine(text);
      } catch (e) {
        return badLine((e as Error).message);
      }
      if (!p) return undefined;
      const problem = pointProblem(p);
      if (problem) return badLine(problem);
      const t = p.tags;
      if (!t.ns || !t.mcis || !t.vm) return badLine('a line without ns, mcis and vm tags');
      if (t.ns !== owner.ns || t.mcis !== owner.mcis || t.vm !== owner.vm) {
        foreign ??= `${t.ns}/${t.mcis}/${t.vm}`;
        return undefined;
      }
      const tsMs = p.timestamp !== undefined ? timestampToMs(p.timestamp, precision) : now;
      const late = timeProblem(tsMs, now, ringMs);
      if (late) return badLine(late);
      const seq = p.fields.seq;
      const k = seq !== undefined ? `s${seq}` : `t${tsMs}`;
      let s = bySample.get(k);
      if (!s) {
        s = { ref, seq: seq ?? 0, tsMs, points: [] };
        bySample.set(k, s);
      }
      s.points.push(toSamplePoint(p));
      return undefined;
    },
    () => badLine(`a line longer than ${limits.maxLineBytes} bytes`),
  );
  if (read.refusal) {
    if (read.closeAfter) res.shouldKeepAlive = false;
    reply(res, read.refusal);
    if (read.closeAfter) res.on('finish', () => req.destroy());
    return;
  }
  budget.spend(key, read.lines);
  if (foreign)
    return reply(res, new Refusal(403, 'forbidden', `this token writes ${key} only, not ${foreign}`));
  // The record is authoritative for where a VM runs; writers may leave those tags out.
  const samples = [...bySample.values()].sort((a, b) => a.tsMs - b.tsMs);
  if (samples.length) o.accept(samples);
  if (bad)
    return reply(
      res,
      new Refusal(400, 'invalid', `${bad} of ${read.lines} line(s) refused (the rest were stored); first: ${firstBad}`),
    );
  res.writeHead(204).end();
}

export async function startPushServer(
  o: PushServerOptions,
): Promise<{ server: Server | TlsServer; url: string }> {
  const limits = { ...PUSH_LIMITS, ...o.limits };
  const budget = new LineBudget(limits.linesPerSecond, limits.maxLines);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handleWrite(req, res, o, budget, limits).catch((e: unknown) => {
      o.log(`push: ${(e as Error).message}`);
      if (!res.headersSent) reply(res, new Refusal(500, 'internal error', (e as Error).message));
    });
  };
  const server = o.tls ? createTlsServer({ cert: o.tls.cert, key: o.tls.key }, handler) : createServer(handler);
  const base = await listen(server, o.host, o.port, '--listen');
  return { server, url: `${o.tls ? base.replace(/^http:/, 'https:') : base}/write` };
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
