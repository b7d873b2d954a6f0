/**
 * ssh2 is loaded on first use, not at import: it costs ~40 ms, and most CLI commands never open
 * an SSH connection. It is CommonJS, so a synchronous require keeps the callers simple.
 */
import { createRequire } from 'node:module';

type Ssh2 = typeof import('ssh2');
let cached: Ssh2 | undefined;

export function ssh2(): Ssh2 {
  cached ??= createRequire(import.meta.url)('ssh2') as Ssh2;
  return cached;
}
