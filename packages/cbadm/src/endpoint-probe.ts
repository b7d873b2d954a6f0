/**
 * Before `mcis create` records any VM: the endpoint overrides of the connections it will use
 * (Cloud-Twin, a private cloud) must accept a TCP connection. A refused one is one clear
 * ProviderError (ECONNREFUSED, the host:port) instead of the same failure once per VM; the base
 * command's catch adds "the twin is not running" when the endpoint is a twin connection's.
 * Connections to the clouds' own endpoints are not probed: they answer or fail in their drivers.
 */
import { connect } from 'node:net';
import type { Connection } from '@cloud-barista/core/model';
import { ProviderError } from '@cloud-barista/core/errors';

/** Long enough for a slow private endpoint, short enough not to hold a create up. */
const PROBE_TIMEOUT_MS = 3_000;

function target(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    // Only TCP endpoints are probed: a Docker unix:// socket or ssh:// host answers in its driver.
    if (!['http:', 'https:', 'tcp:'].includes(u.protocol) || !u.hostname) return undefined;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined;
  }
}

/** The socket error code of a connect to host:port (undefined: it answered, or did not say no in time). */
function refusal(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (code: string | undefined) => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(undefined));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? e.code : undefined));
  });
}

/** Throws for the first connection whose endpoint (or auth endpoint) refuses connections. */
export async function assertEndpointsAnswer(connections: readonly Connection[]): Promise<void> {
  const urls = connections.flatMap((c) => [c.endpoint, c.authEndpoint].flatMap((u) => (u ? [{ c, u }] : [])));
  const seen = new Map<string, Promise<string | undefined>>();
  for (const { c, u } of urls) {
    const t = target(u);
    if (!t) continue;
    const key = `${t.host}:${t.port}`;
    if (!seen.has(key)) seen.set(key, refusal(t.host, t.port));
    if (await seen.get(key)) {
      throw new ProviderError({
        provider: c.provider,
        code: 'ECONNREFUSED',
        message: `connection '${c.name}': ${key} refused the connection (nothing was created)`,
        errorClass: 'unavailable',
        retryable: false,
        endpoint: key,
      });
    }
  }
}
