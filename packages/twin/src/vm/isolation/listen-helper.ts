/**
 * Run inside a VM's network namespace (`nsenter --net=…`): opens the listening sockets it is asked
 * for there and hands them to the twin over the IPC channel, then exits. Node cannot enter a
 * namespace itself, but a socket keeps the namespace it was made in: the twin's SSH server accepts
 * on it as on any other, and the VM's firewall sees every connection.
 * argv[2]: JSON [{ host, port }]; answers one message per socket, { index, error? }. It exits
 * when the twin disconnects, once it has every socket (exiting first could outrun the last one).
 */
import { createServer } from 'node:net';

const specs = JSON.parse(process.argv[2] ?? '[]') as Array<{ host: string; port: number }>;
const done = () => {};
// A listener keeps the IPC channel (and this process) alive until the twin disconnects.
process.on('message', () => {});
specs.forEach((spec, index) => {
  const server = createServer();
  server.once('error', (e: NodeJS.ErrnoException) => {
    process.send?.({ index, error: e.code ?? e.message }, done);
  });
  server.listen({ host: spec.host, port: spec.port, exclusive: true }, () => {
    process.send?.({ index }, server, () => {
      server.close();
      done();
    });
  });
});
