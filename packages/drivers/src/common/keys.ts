/**
 * Key pairs on a cloud that keeps none (GCE instance metadata, Azure osProfile, Cloudit's server
 * login, Docker's exec): the public key travels with each VM's create, so there is nothing to
 * import, adopt or delete; the name is handed back for the records.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';

const PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$/;

export function keysWithEachVm(): KeyPairApi {
  return {
    ensureKeyPair({ name, publicKey }) {
      // Checked here, not at the VM's create: a bad key is the user's to fix before anything is made.
      if (!PUBLIC_KEY.test(publicKey.trim())) {
        return Promise.reject(new UsageError(`key pair '${name}': not an OpenSSH public key line`, { hint: 'expected "ssh-ed25519 AAAA… comment"' }));
      }
      return Promise.resolve({ keyName: name });
    },
    deleteKeyPair: () => Promise.resolve(),
    hasKeyPair: () => Promise.resolve(false),
  };
}
