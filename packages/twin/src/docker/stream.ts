/**
 * The Engine's attach/exec stream: without a TTY, stdout and stderr are multiplexed in frames of an
 * 8-byte header (stream id, 3 zero bytes, big-endian length) and the payload; with one, raw bytes.
 * Hijacked connections answer `101 UPGRADED` and then carry that stream over the bare socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export const RAW = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';

export function frame(stream: 0 | 1 | 2, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/**
 * Reads the request body that came with a hijacked request (Content-Length bytes, partly in `head`)
 * and pushes back what follows it: that is already the client's stdin.
 */
export function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<Buffer> {
  const length = Number(req.headers['content-length'] ?? 0);
  return new Promise((resolve, reject) => {
    let got = head;
    const done = () => {
      socket.off('data', onData);
      socket.off('error', reject);
      const rest = got.subarray(length);
      if (rest.length) socket.unshift(rest);
      resolve(got.subarray(0, length));
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= length) {
        socket.pause();
        done();
      }
    };
    if (got.length >= length) {
      done();
      return;
    }
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** Switches a hijacked connection to the raw stream. */
export function upgraded(socket: Duplex, contentType: string, headers: Record<string, string>): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${extra}\r\n`);
}
