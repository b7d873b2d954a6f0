/**
 * SSH keys on GCE live in instance metadata (`ssh-keys`: `USER:KEY`), set when each VM is created
 * (see instances.ts); there is no key-pair resource to import or delete. Project-wide metadata is
 * not used: it is shared by every VM of the project and has one fingerprint to race on.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';

const PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$/;

export function createKeyPairs(): KeyPairApi {
  return {
    ensureKeyPair({ name, publicKey }) {
      if (!PUBLIC_KEY.test(publicKey.trim())) {
        return Promise.reject(new UsageError(`key pair '${name}': not an OpenSSH public key line`, { hint: 'expected "ssh-ed25519 AAAA… comment"' }));
      }
      return Promise.resolve({ keyName: name });
    },
    deleteKeyPair() {
      return Promise.resolve();
    },
    hasKeyPair() {
      return Promise.resolve(false);
    },
  };
}
