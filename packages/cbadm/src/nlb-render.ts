/** `cbadm mcis nlb` tables: one line per balancer; per backend, its health from HAProxy. */
import type { NlbView } from '@cloud-barista/core';
import { makeTable } from './render.js';

export function nlbTable(list: NlbView[]): string {
  if (!list.length) return 'No load balancers (add one under spec.loadBalancers and run cbadm apply).';
  return makeTable(
    ['NAME', 'LISTEN', 'TARGET PORT', 'ALGORITHM', 'BALANCER VM', 'STATUS', 'TARGETS'],
    list.map((l) => [l.name, l.publicIp ? `${l.publicIp}:${l.port}` : `:${l.port}`, String(l.targetPort), l.algorithm, l.vm ?? '-', l.status ?? '-', `${l.servers.length} (${l.targets.join(', ')})`]),
  );
}

export function nlbDetail(l: NlbView): string {
  const head = `Load balancer ${l.name}: ${l.publicIp ? `${l.publicIp}:${l.port}` : `port ${l.port}`} → ${l.targets.join(', ')} on port ${l.targetPort} (${l.algorithm}); balancer VM ${l.vm ?? '-'} ${l.status ?? ''}`.trimEnd();
  const backends = l.backends ?? [];
  if (!backends.length) return `${head}\nNo backend health yet (the balancer VM is not running or HAProxy has no servers).`;
  return `${head}\n${makeTable(['SERVER', 'ADDRESS', 'STATUS', 'CHECK', 'SINCE', 'SESSIONS'], backends.map((b) => [b.server, b.address, b.status, b.check, `${b.since}s`, String(b.sessions)]))}`;
}
