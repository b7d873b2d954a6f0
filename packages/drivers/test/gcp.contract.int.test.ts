/**
 * The GCP driver against Cloud-Twin over loopback, through the real `@google-cloud/compute` REST
 * transport and google-auth-library: the shared driver contract.
 */
import { createGcpDriver } from '../src/gcp/index.js';
import { runContractOnTwin } from './contract.js';
import { bootTwin, credentialFor, gcpConnection, leftovers, twinKey } from './gcp-twin.js';

runContractOnTwin('gcp on Cloud-Twin', bootTwin, ({ twin }) => {
  const key = twinKey(twin);
  return {
    driver: createGcpDriver({ connection: gcpConnection(twin), credentials: credentialFor(key.json) }),
    leftovers: (tags) => leftovers(twin, key.json, tags),
  };
});
