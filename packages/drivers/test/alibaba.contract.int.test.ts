/**
 * The Alibaba driver against Cloud-Twin over loopback, through the official ECS SDK
 * (`@alicloud/ecs20140526`, ACS3-HMAC-SHA256 signatures): the shared driver contract.
 */
import { createAlibabaDriver } from '../src/alibaba/index.js';
import { runDriverContract } from './contract.js';
import { alibabaConnection, bootTwin, credentialFor, leftovers } from './alibaba-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();

runDriverContract('alibaba on Cloud-Twin', async () => {
  const t = await bootTwin(SSH_PORT);
  return {
    driver: createAlibabaDriver({ connection: alibabaConnection(t.twin), credentials: credentialFor(t.twin) }),
    sshPort: t.twin.sshPort,
    maxWaitMs: 30_000,
    // Alibaba's public images log in as root with the key pair, which ECS keeps as a resource.
    sshUser: 'root',
    keyPairResources: true,
    leftovers: (tags) => leftovers(t.twin, tags),
    cleanup: () => t.close(),
  };
});
