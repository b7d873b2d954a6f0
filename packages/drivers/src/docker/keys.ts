/**
 * Docker has no key pairs: a container is entered with `docker exec`, not SSH. The port's key
 * calls succeed without a resource, as on clouds where the key travels with each VM.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';

export function createKeyPairs(): KeyPairApi {
  return {
    ensureKeyPair: ({ name }) => Promise.resolve({ keyName: name }),
    deleteKeyPair: () => Promise.resolve(),
    hasKeyPair: () => Promise.resolve(false),
  };
}
