/**
 * The GCP driver against Cloud-Twin over loopback, through the real `@google-cloud/compute` REST
 * transport and google-auth-library: the shared driver contract.
 */
import { createGcpDriver } from '../src/gcp/index.js';
import { runDriverContract } from './contract.js';
import { bootTwin, credentialFor, gcpConnection, leftovers, twinKey } from './gcp-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();

runDriverContract('gcp on Cloud-Twin', async () => {
  const t = await bootTwin(SSH_PORT);
  const key = twinKey(t.twin);
  return {
    driver: createGcpDriver({ connection: gcpConnection(t.twin), credentials: credentialFor(key.json) }),
    sshPort: t.twin.sshPort,
    maxWaitMs: 30_000,
    leftovers: (tags) => leftovers(t.twin, key.json, tags),
    cleanup: () => t.close(),
  };
});
