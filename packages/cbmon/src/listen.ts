/** Opening an HTTP listener with an error that says what to change. */
import type { Server } from 'node:net';
import { ConflictError, OperationError } from '@cloud-barista/core/errors';

/** Listens on host:port; resolves with the URL base (`http://host:port`). */
export async function listen(server: Server, host: string, port: number, flag: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (e.code === 'EADDRINUSE')
        reject(
          new ConflictError(`${where} is already in use`, {
            hint: `pick another ${flag} (port 0 picks a free one)`,
          }),
        );
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(
          new OperationError(`${where}: no such local address`, {
            hint: `${flag} must name an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`,
          }),
        );
      else if (e.code === 'EACCES')
        reject(
          new OperationError(`${where}: permission denied`, {
            hint: `ports below 1024 need privileges: pick another ${flag}`,
          }),
        );
      else reject(new OperationError(`cannot listen on ${where}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
