/**
 * Line protocol out of the store: to stdout, or POSTed to InfluxDB (1.x `/write?db=`, 2.x
 * `/api/v2/write?bucket=&org=`) in batches. The identity tags come back on every line, so the data
 * lands in InfluxDB the way CB-Dragonfly stored it.
 */
import { OperationError } from '@cloud-barista/core/errors';
import { formatLine, msToNs } from '../lineproto.js';
import type { Sample } from '@cloud-barista/agent/sample';

export function sampleLines(s: Sample): string[] {
  const identity = {
    ns: s.ref.ns,
    mcis: s.ref.mcis,
    vm: s.ref.vm,
    subgroup: s.ref.subgroup,
    csp: s.ref.csp,
    region: s.ref.region,
  };
  return s.points.map((p) =>
    formatLine({
      measurement: p.measurement,
      tags: { ...identity, ...p.tags },
      fields: p.fields,
      timestamp: msToNs(s.tsMs),
    }),
  );
}

export interface InfluxTarget {
  url: string;
  db?: string;
  bucket?: string;
  org?: string;
  token?: string;
}

/** The write URL for a server URL and database (1.x) or bucket (2.x); full write URLs pass through. */
export function writeUrl(t: InfluxTarget): string {
  const u = new URL(t.url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = t.bucket ? '/api/v2/write' : '/write';
  if (u.pathname.endsWith('/api/v2/write')) {
    if (t.bucket) u.searchParams.set('bucket', t.bucket);
    if (t.org) u.searchParams.set('org', t.org);
  } else if (t.db) {
    u.searchParams.set('db', t.db);
  }
  u.searchParams.set('precision', 'ns');
  return u.toString();
}

/** POSTs one batch; throws OperationError with InfluxDB's own message on a non-2xx answer. */
export async function postLines(t: InfluxTarget, lines: string[], timeoutMs = 30_000): Promise<void> {
  const url = writeUrl(t);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        ...(t.token ? { authorization: `Token ${t.token}` } : {}),
      },
      body: `${lines.join('\n')}\n`,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new OperationError(`cannot reach InfluxDB at ${t.url}: ${(e as Error).message}`, {
      hint: 'check --url and that the server is up',
    });
  }
  if (!res.ok) {
    const body = (await res.text()).slice(0, 300).trim();
    throw new OperationError(
      `InfluxDB answered ${res.status} to a write of ${lines.length} lines${body ? `: ${body}` : ''}`,
      {
        hint:
          res.status === 401 || res.status === 403
            ? 'check --token'
            : res.status === 404
              ? 'check --db / --bucket (it must exist)'
              : 'see the server log',
      },
    );
  }
}
