import ssh2 from 'ssh2';

/**
 * Whether ssh2 can load this OpenSSH private key. ssh2's own ed25519 generator produces an
 * unloadable key about once in 256 tries (a public key starting with a zero byte gets
 * truncated), so every generated key is checked before a VM is given it.
 */
export function isLoadableKey(privateKey: string): boolean {
  const parsed: unknown = ssh2.utils.parseKey(privateKey);
  const key: unknown = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  return key !== undefined && !(key instanceof Error);
}

/** Calls `generate` until it yields a key ssh2 can load. */
export function loadableKey<T extends { privateKey: string }>(generate: () => T): T {
  for (let i = 0; i < 32; i++) {
    const k = generate();
    if (isLoadableKey(k.privateKey)) return k;
  }
  throw new Error('could not generate a loadable SSH key');
}
