/**
 * Everything isolation makes on the host is named with one prefix per twin state dir, recorded in
 * `<stateDir>/isolation.json`: a twin that was SIGKILLed leaves namespaces and links behind, and the
 * next `twin up` on that state dir finds them by the prefix and removes them. Several twins (other
 * state dirs) run side by side: each has its own prefix and touches only its own.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Interface names are at most 15 bytes: 6 for the prefix, one for the kind, 8 for a number. */
export interface IsolationNames {
  prefix: string;
  /** The namespace that holds every VPC/network's bridge. */
  fabric: string;
  vmNs(vmId: string): string;
  bridge(n: number): string;
  /** The fabric end of a VM's private link (its other end is `eth0` in the VM). */
  privateLink(n: number): string;
  /** The host end of a VM's public link (its other end is `eth1` in the VM). */
  publicLink(n: number): string;
}

export function namesFor(prefix: string): IsolationNames {
  return {
    prefix,
    fabric: `${prefix}-fabric`,
    vmNs: (vmId) => `${prefix}-vm-${vmId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}`,
    bridge: (n) => `${prefix}b${n}`,
    privateLink: (n) => `${prefix}v${n}`,
    publicLink: (n) => `${prefix}p${n}`,
  };
}

/** The state dir's prefix (`c` + 5 hex digits), made and recorded on first use. */
export function loadOrCreatePrefix(stateDir: string): string {
  const file = join(stateDir, 'isolation.json');
  try {
    const saved = (JSON.parse(readFileSync(file, 'utf8')) as { prefix?: unknown }).prefix;
    if (typeof saved === 'string' && /^c[0-9a-f]{5}$/.test(saved)) return saved;
  } catch {
    // none yet
  }
  const prefix = `c${randomBytes(3).toString('hex').slice(0, 5)}`;
  writeFileSync(file, `${JSON.stringify({ prefix })}\n`, { mode: 0o600 });
  return prefix;
}
