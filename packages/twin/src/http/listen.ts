/**
 * Listening on a port a restarted twin wants back: the one it had before (its clients' connections
 * name it) when that is still free, any free one otherwise.
 */
import type { Server } from 'node:net';

function listenOnce(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * `port`: that port or fail; `preferred`: that port if free, else any (0). Neither: any free port.
 * A taken port is the only reason to fall back; any other failure is the caller's.
 */
export async function listenPreferring(server: Server, host: string, o: { port?: number | undefined; preferred?: number | undefined }): Promise<void> {
  if (o.port !== undefined || !o.preferred) return listenOnce(server, host, o.port ?? 0);
  try {
    await listenOnce(server, host, o.preferred);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
    await listenOnce(server, host, 0);
  }
}
