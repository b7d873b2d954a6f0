/**
 * Instance metadata `ssh-keys` (and the legacy `sshKeys`): lines of `USER:KEY`, where KEY is an
 * OpenSSH public key line. GCE's guest agent makes a login for each user; the twin's VM has one
 * SSH user, the first one named, accepting that user's keys. Lines that do not parse are skipped,
 * as the guest agent skips them.
 */
import ssh2 from 'ssh2';
import type { MetadataItem } from './model.js';

export interface SshLogin {
  user: string;
  keys: string[];
}

function parses(key: string): boolean {
  const parsed: unknown = ssh2.utils.parseKey(key);
  const k: unknown = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  return k !== undefined && !(k instanceof Error);
}

/** The login the twin VM offers, from the instance's metadata; undefined when no usable key. */
export function sshLoginFrom(items: readonly MetadataItem[]): SshLogin | undefined {
  const text = items
    .filter((i) => i.key === 'ssh-keys' || i.key === 'sshKeys')
    .map((i) => i.value)
    .join('\n');
  const byUser = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (!line || colon <= 0) continue;
    const user = line.slice(0, colon);
    const key = line.slice(colon + 1).trim();
    if (!/^[a-z_][a-z0-9_.-]{0,31}$/i.test(user) || !parses(key)) continue;
    byUser.set(user, [...(byUser.get(user) ?? []), key]);
  }
  const first = [...byUser][0];
  return first ? { user: first[0], keys: first[1] } : undefined;
}
