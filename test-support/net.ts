/** Loopback addresses and ports for tests that run real servers side by side. */
import { createServer } from 'node:net';

/** A port on `host` that was free a moment ago: nothing listens there (unlike a fixed port, which might). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A random address in 127.`second`.0.0/16, so parallel test files do not share pinned host keys. */
export function randomLoopback(second: number): string {
  const b = () => 1 + Math.floor(Math.random() * 253);
  return `127.${second}.${b()}.${b()}`;
}
