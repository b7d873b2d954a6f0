/**
 * Cloudit keeps no key pairs: a server's root login is set at create (its password, or the
 * public key given with it, ./instances.ts). The key travels with each server, as on GCE and
 * Azure, so there is nothing to import, adopt or delete here.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';

export function createKeyPairs(): KeyPairApi {
  return {
    ensureKeyPair: ({ name }) => Promise.resolve({ keyName: name }),
    deleteKeyPair: () => Promise.resolve(),
    hasKeyPair: () => Promise.resolve(false),
  };
}
