/**
 * Key pairs on Azure: there is no region-level key a VM refers to by name; the public key goes into
 * each VM's osProfile (linuxConfiguration.ssh.publicKeys). So there is nothing to import or delete:
 * the name is handed back for the records, and the key travels with every create.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';

export function createKeyPairs(): KeyPairApi {
  return {
    async ensureKeyPair({ name }) {
      return { keyName: name };
    },
    async deleteKeyPair() {},
    async hasKeyPair() {
      return false;
    },
  };
}
