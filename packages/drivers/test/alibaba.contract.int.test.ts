/**
 * The Alibaba driver against Cloud-Twin over loopback, through the official ECS SDK
 * (`@alicloud/ecs20140526`, ACS3-HMAC-SHA256 signatures): the shared driver contract.
 */
import { createAlibabaDriver } from '../src/alibaba/index.js';
import { runContractOnTwin } from './contract.js';
import { alibabaConnection, bootTwin, credentialFor, leftovers } from './alibaba-twin.js';

runContractOnTwin('alibaba on Cloud-Twin', bootTwin, ({ twin }) => ({
  driver: createAlibabaDriver({ connection: alibabaConnection(twin), credentials: credentialFor(twin) }),
  // Alibaba's public images log in as root with the key pair, which ECS keeps as a resource.
  sshUser: 'root',
  keyPairResources: true,
  leftovers: (tags) => leftovers(twin, tags),
}));
