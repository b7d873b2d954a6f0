/**
 * A refused connection to a twin connection's endpoint means the twin is down (or listens
 * elsewhere), not that the cloud is: the error gets the hint that fixes it. The drivers only report
 * which host:port refused; knowing that it is the twin's is cbadm's business.
 */
import type { Connection } from '@cloud-barista/core/model';
import { ProviderError } from '@cloud-barista/core/errors';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

function hostPort(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

/**
 * `err` with the twin's hint when it is a refused connection to the loopback endpoint of a
 * connection `twin connect` registered (label twin=true); undefined otherwise. `twinRunning`: a
 * twin runs (on other ports, then), so the fix is to connect again rather than to start it.
 */
export function withTwinDownHint(err: ProviderError, connections: readonly Connection[], twinRunning: boolean): ProviderError | undefined {
  if (err.code !== 'ECONNREFUSED' || !err.endpoint) return undefined;
  if (!LOOPBACK.test(err.endpoint.replace(/:\d+$/, ''))) return undefined;
  const twin = connections.find((c) => c.labels.twin === 'true' && c.endpoint !== undefined && (hostPort(c.endpoint) === err.endpoint || (c.authEndpoint !== undefined && hostPort(c.authEndpoint) === err.endpoint)));
  if (!twin) return undefined;
  const hint = twinRunning
    ? `${err.endpoint} is where connection '${twin.name}' expects Cloud-Twin, which now listens elsewhere: cbadm twin connect`
    : 'the twin is not running: `cbadm twin up`';
  return new ProviderError({
    provider: err.provider,
    code: err.code,
    message: err.message.slice(`${err.provider}: ${err.code}: `.length),
    errorClass: err.errorClass,
    retryable: err.retryable,
    endpoint: err.endpoint,
    hint,
    cause: err,
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
  });
}
