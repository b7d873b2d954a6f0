/** SSH key pairs: we import the public half of a key generated locally; AWS never sees the private one. */
import { DeleteKeyPairCommand, DescribeKeyPairsCommand, ImportKeyPairCommand } from '@aws-sdk/client-ec2';
import type { KeyPairApi } from '@cloud-barista/core/driver/port';
import type { AwsContext } from './context.js';
import { hasCode } from './errors.js';
import { gone } from './retry.js';
import { tagSpec } from './tags.js';

export function createKeyPairs(ctx: AwsContext): KeyPairApi {
  return {
    async ensureKeyPair({ name, publicKey, tags }) {
      try {
        await ctx.client.send(
          new ImportKeyPairCommand({
            KeyName: name,
            PublicKeyMaterial: new TextEncoder().encode(publicKey.trim()),
            TagSpecifications: [tagSpec('key-pair', tags, name)],
          }),
        );
      } catch (e) {
        // An earlier (maybe interrupted) run imported it already: the name is ours, adopt it.
        if (!hasCode(e, 'InvalidKeyPair.Duplicate')) throw e;
      }
      return { keyName: name };
    },

    async deleteKeyPair(name) {
      // DeleteKeyPair succeeds for unknown names on AWS; some endpoints say NotFound instead.
      await gone(() => ctx.client.send(new DeleteKeyPairCommand({ KeyName: name })));
    },

    async hasKeyPair(name) {
      try {
        const out = await ctx.client.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
        return (out.KeyPairs ?? []).some((k) => k.KeyName === name);
      } catch (e) {
        if (hasCode(e, 'InvalidKeyPair.NotFound')) return false;
        throw e;
      }
    },
  };
}
