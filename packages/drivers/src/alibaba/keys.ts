/** SSH key pairs: ImportKeyPair of a key generated locally; Alibaba never sees the private half. */
import * as Ecs from '@alicloud/ecs20140526';
import type { KeyPairApi } from '@cloud-barista/core/driver/port';
import type { AlibabaContext } from './context.js';
import { hasCode } from './errors.js';
import { ecsTags } from './tags.js';

export function createKeyPairs(ctx: AlibabaContext): KeyPairApi {
  const regionId = ctx.region;
  return {
    async ensureKeyPair({ name, publicKey, tags }) {
      try {
        await ctx.call((c) =>
          c.importKeyPair(new Ecs.ImportKeyPairRequest({ regionId, keyPairName: name, publicKeyBody: publicKey.trim(), tag: ecsTags(tags, (t) => new Ecs.ImportKeyPairRequestTag(t)) })),
        );
      } catch (e) {
        // An earlier (maybe interrupted) run imported it already: the name is ours, adopt it.
        if (!hasCode(e, 'KeyPair.AlreadyExist')) throw e;
      }
      return { keyName: name };
    },

    async deleteKeyPair(name) {
      // ECS deletes the names it knows and ignores the rest.
      await ctx.call((c) => c.deleteKeyPairs(new Ecs.DeleteKeyPairsRequest({ regionId, keyPairNames: JSON.stringify([name]) })));
    },

    async hasKeyPair(name) {
      const out = await ctx.call((c) => c.describeKeyPairs(new Ecs.DescribeKeyPairsRequest({ regionId, keyPairName: name })));
      return (out.body?.keyPairs?.keyPair ?? []).some((k) => k.keyPairName === name);
    },
  };
}
