/** `cbadm connection test` for people: the ping, then each permission the driver checked. */
import type { ConnectionTestResult } from '@cloud-barista/core';
import { makeTable } from './render.js';

export function renderConnectionTest(r: ConnectionTestResult): string {
  const head = `OK: ${r.connection} (${r.provider} ${r.region}) answered in ${r.latencyMs} ms${r.account ? `, account ${r.account}` : ''}.`;
  const perms = r.permissions;
  if (!perms) return `${head}\n`;
  const allowed = perms.filter((p) => p.status === 'allowed').length;
  const missing = r.missing ?? [];
  const unverified = r.unverified ?? [];
  const lines = [head, `Permissions: ${allowed} of ${perms.length} allowed, ${missing.length} missing, ${unverified.length} unverified.`];
  // Everything allowed: the count says it all. Otherwise show what is not, with why.
  const notAllowed = perms.filter((p) => p.status !== 'allowed');
  if (notAllowed.length) {
    lines.push(makeTable(['PERMISSION', 'STATUS', 'NEEDED TO', 'WHY'], notAllowed.map((p) => [p.permission, p.status, p.neededFor, p.why ?? ''])).trimEnd());
  }
  if (missing.length) lines.push(`Grant: ${missing.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
