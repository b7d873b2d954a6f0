/**
 * The image-alias logic every driver shares: manifest aliases (`ubuntu-22.04`) map to each cloud's
 * own image source, passed in as data; the lookup of one alias stays with the cloud.
 */
import type { Image } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';

/** The aliases as a list for messages: "ubuntu-22.04, ubuntu-24.04, debian-12". */
export function aliasList(aliases: Readonly<Record<string, unknown>>): string {
  return Object.keys(aliases).join(', ');
}

/** The usual login user of an image, from its name (ubuntu → ubuntu, debian → admin), else `fallback`. */
export function sshUserFromName(imageName: string, fallback: string): string {
  const n = imageName.toLowerCase();
  if (n.includes('ubuntu')) return 'ubuntu';
  if (n.includes('debian')) return 'admin';
  return fallback;
}

/** The OS family an image's name says (Ubuntu, Debian); the name itself when it says neither. */
export function osFromName(imageName: string): string {
  const n = imageName.toLowerCase();
  if (n.includes('ubuntu')) return 'Ubuntu';
  if (n.includes('debian')) return 'Debian';
  return imageName;
}

/**
 * The current image of each alias, tagged with its alias. `byAlias` throws a UsageError for an alias
 * the region does not offer: that alias is left out, and any other failure propagates.
 */
export async function listAliasImages<A>(
  aliases: Readonly<Record<string, A>>,
  byAlias: (alias: string, source: A) => Promise<Image>,
): Promise<Image[]> {
  const found = await Promise.all(
    Object.entries(aliases).map(async ([alias, source]) => {
      try {
        return [{ ...(await byAlias(alias, source)), alias }];
      } catch (e) {
        if (e instanceof UsageError) return [];
        throw e;
      }
    }),
  );
  return found.flat();
}
