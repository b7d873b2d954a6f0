/**
 * Nova key pairs: imported from the locally generated public key; one of the same name is adopted
 * when its key is the same, and refused (it would let someone else's key in) when it differs.
 */
import type { KeyPairApi } from '@cloud-barista/core/driver/port';
import { ConflictError } from '@cloud-barista/core/errors';
import { found, gone } from '../common/retry.js';
import type { OsClient } from './client.js';
import { hasCode } from './errors.js';

const keyBody = (k: string) => k.trim().split(/\s+/).slice(0, 2).join(' ');

export function createKeyPairs(client: OsClient): KeyPairApi {
  const get = (name: string) => found(async () => (await client.call<{ keypair: { public_key: string } }>('compute', 'GET', `/os-keypairs/${encodeURIComponent(name)}`)).keypair);
  return {
    async ensureKeyPair({ name, publicKey }) {
      let existing = await get(name);
      if (!existing) {
        try {
          await client.call('compute', 'POST', '/os-keypairs', { keypair: { name, public_key: publicKey.trim(), type: 'ssh' } });
          return { keyName: name };
        } catch (e) {
          // Another run imported it between our look and our import.
          if (!hasCode(e, 'conflictingRequest')) throw e;
          existing = await get(name);
        }
      }
      if (existing && keyBody(existing.public_key) !== keyBody(publicKey)) {
        throw new ConflictError(`key pair '${name}' exists in region ${client.region} with another public key`, { hint: `delete it (openstack keypair delete ${name}) or use another connection name` });
      }
      return { keyName: name };
    },
    deleteKeyPair: (name) => gone(() => client.call('compute', 'DELETE', `/os-keypairs/${encodeURIComponent(name)}`)),
    hasKeyPair: async (name) => (await get(name)) !== undefined,
  };
}
