/**
 * Request bodies and JSON answers for the twin's HTTP servers. Each wire API keeps its own error
 * shape: a caller passes the error its cloud answers with when a body is too large.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Larger than any request a client of the emulated APIs sends; a bound so one caller cannot fill memory. */
export const MAX_BODY = 4 * 1024 * 1024;

/** An error the generic servers (admin API, k8s runtime) answer with `{error}` and this status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export interface BodyLimit {
  /** Bytes; MAX_BODY unless given. */
  max?: number;
  /** What the request fails with when the body is larger; HttpError 413 unless given. */
  tooLarge?: () => Error;
}

/** The whole body; rejects (and drops the connection) once it passes the limit. */
export function readBody(req: IncomingMessage, limit: BodyLimit = {}): Promise<Buffer> {
  const max = limit.max ?? MAX_BODY;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(limit.tooLarge?.() ?? new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readText(req: IncomingMessage, limit?: BodyLimit): Promise<string> {
  return (await readBody(req, limit)).toString('utf8');
}

/** The body as JSON; an empty body is `{}`, anything unparsable is HttpError 400. */
export async function readJson(req: IncomingMessage, limit?: BodyLimit): Promise<unknown> {
  const text = await readText(req, limit);
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/**
 * A request body that must be a JSON object: `{}` when empty, `bad()` when it is not JSON. A JSON
 * value that is not an object (an array, a string) reads as `{}`, so the handler's own checks name
 * the missing member.
 */
export function parseJsonObject(text: string, bad: () => Error): Record<string, unknown> {
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad();
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}
