import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, MAX_BODY, readJson, readText, sendJson } from './io.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A real loopback server whose handler's result (or error) comes back as JSON. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>): Promise<string> {
  server = createServer((req, res) => {
    handle(req, res).then(
      (value) => sendJson(res, 200, { value }),
      (e: unknown) => {
        req.resume();
        sendJson(res, e instanceof HttpError ? e.status : 500, { error: e instanceof Error ? e.message : String(e), kind: e instanceof HttpError ? 'http' : 'other' });
      },
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('request bodies', () => {
  it('reads a JSON body; an empty body is {}', async () => {
    const url = await serve((req) => readJson(req));
    expect(await (await fetch(url, { method: 'POST', body: '{"a":[1]}' })).json()).toEqual({ value: { a: [1] } });
    expect(await (await fetch(url, { method: 'POST', body: '' })).json()).toEqual({ value: {} });
  });

  it('answers 400 naming the problem for a body that is not JSON', async () => {
    const url = await serve((req) => readJson(req));
    const res = await fetch(url, { method: 'POST', body: '{"a":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body is not valid JSON', kind: 'http' });
  });

  it("refuses a body over the limit with the caller's own error, else HttpError 413", async () => {
    // readBody needs only a readable stream of the body; two chunks, the second crosses the limit.
    const body = (text: string[]) => Readable.from(text.map((t) => Buffer.from(t))) as unknown as IncomingMessage;
    await expect(readText(body(['xxxxx', 'xxxxx']), { max: 8, tooLarge: () => new Error('SerializationException') })).rejects.toThrow('SerializationException');
    await expect(readText(body(['x'.repeat(MAX_BODY), 'x']))).rejects.toMatchObject({ status: 413 });
    expect(await readText(body(['xxxx', 'xxxx']), { max: 8 })).toBe('x'.repeat(8));
  });
});
