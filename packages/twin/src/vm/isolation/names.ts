/**
 * Everything isolation makes on the host is named with one prefix per twin state dir, recorded in
 * `<stateDir>/isolation.json`: a twin that was SIGKILLed leaves namespaces and links behind, and the
 * next `twin up` on that state dir finds them by the prefix and removes them. Several twins (other
 * state dirs) run side by side: each has its own prefix and touches only its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which state dir each prefix on this host belongs to (tmpfs: gone on reboot, with the namespaces).
 * A twin killed with its state dir then deleted (a test's temp dir) leaves namespaces no `twin up`
 * of that dir will ever remove: the next isolated twin on the host does.
 */
const REGISTRY = '/run/cloud-twin/isolation';

export function register(prefix: string, stateDir: string): void {
  mkdirSync(REGISTRY, { recursive: true, mode: 0o700 });
  writeFileSync(join(REGISTRY, prefix), stateDir, { mode: 0o600 });
}

export function unregister(prefix: string): void {
  rmSync(join(REGISTRY, prefix), { force: true });
}

/** Prefixes whose state dir no longer records them: nobody will come back for their leftovers. */
export function orphanedPrefixes(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(REGISTRY);
  } catch {
    return [];
  }
  return entries.filter((prefix) => {
    try {
      const stateDir = readFileSync(join(REGISTRY, prefix), 'utf8');
      return (JSON.parse(readFileSync(join(stateDir, 'isolation.json'), 'utf8')) as { prefix?: string }).prefix !== prefix;
    } catch {
      return true;
    }
  });
}

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
