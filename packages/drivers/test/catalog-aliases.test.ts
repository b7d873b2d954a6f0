/** The shared image-alias loop: every cloud lists the current image of each alias it offers. */
import { describe, expect, it } from 'vitest';
import type { Image } from '@cloud-barista/core/driver/port';
import { ProviderError, UsageError } from '@cloud-barista/core/errors';
import { listAliasImages } from '../src/common/catalog.js';

const image = (name: string): Image => ({
  id: `id-${name}`,
  name,
  os: 'Ubuntu',
  arch: 'x86_64',
  sshUser: 'ubuntu',
});

describe('listAliasImages', () => {
  it('tags each found image with its alias and leaves out aliases the region does not offer', async () => {
    const images = await listAliasImages({ a: 'src-a', b: 'src-b', c: 'src-c' }, async (alias, src) => {
      if (alias === 'b') throw new UsageError(`image '${alias}' has no match`);
      return image(src);
    });
    expect(images.map((i) => [i.alias, i.name])).toEqual([
      ['a', 'src-a'],
      ['c', 'src-c'],
    ]);
  });
  it('lets a cloud failure through: a throttled or refused call is not "no such image"', async () => {
    const refused = new ProviderError({
      provider: 'aws',
      code: 'UnauthorizedOperation',
      message: 'no',
      errorClass: 'auth',
      retryable: false,
    });
    await expect(listAliasImages({ a: 1 }, async () => Promise.reject(refused))).rejects.toBe(refused);
  });
});
