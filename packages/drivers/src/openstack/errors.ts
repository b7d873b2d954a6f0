/**
 * OpenStack errors → core ProviderError. Each service has its own body: Nova's fault name
 * (`itemNotFound`, `conflictingRequest`, `overLimit`…), Neutron's exception type (`NetworkNotFound`,
 * `OverQuota`, `IpAddressGenerationFailure`…), Keystone's title, Glance's bare status. The code is
 * read from those and the status. One exception: Nova reports an exhausted quota as a plain 403
 * `forbidden` whose message starts "Quota exceeded"; nothing else tells it from a policy denial,
 * so that prefix becomes the code `QuotaExceeded`.
 */
import type { ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, NETWORK_CODES, retryAfterMs } from '../common/errors.js';
import { type HttpAnswer, restErrors } from '../common/rest-errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('OpenStack API', {
  capacity: 'the cloud has no host (or address) for this now; retry later, or use another flavor or region',
  quota: 'a project quota was reached (instances, cores, floating IPs…); ask the operator for more or free resources (`openstack quota show`)',
  auth: "check the connection's credential (`cbadm connection test NAME`): the user needs the member role on the project, and the policy must allow the call",
});

/** An HTTP answer that was not 2xx, as read off the wire. */
export class OsHttpError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly service: string,
    readonly status: number,
    readonly body: string,
    headers: Headers,
  ) {
    super(`${service} answered ${status}`);
    this.retryAfterMs = retryAfterMs(headers.get('retry-after'));
  }
}

const THROTTLED = new Set(['TooManyRequests', 'RateLimit']);
const CAPACITY = new Set(['NoValidHost', 'IpAddressGenerationFailure', 'InsufficientCapacity']);
const QUOTA = new Set(['OverQuota', 'QuotaExceeded', 'overLimit']);
const CONFLICT = new Set(['conflictingRequest', 'Conflict', 'SecurityGroupRuleExists', 'FloatingIPPortAlreadyAssociated', 'SecurityGroupInUse', 'NetworkInUse', 'SubnetInUse', 'RouterInUse', 'PortInUse']);

export function classifyOpenStackCode(code: string, httpStatus?: number): ProviderErrorClass {
  if (THROTTLED.has(code) || httpStatus === 429) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (QUOTA.has(code)) return 'quota';
  if (code === 'itemNotFound' || code.endsWith('NotFound') || httpStatus === 404) return 'not-found';
  if (CONFLICT.has(code) || httpStatus === 409) return 'conflict';
  if (NETWORK_CODES.has(code) || code === 'serviceUnavailable' || (httpStatus !== undefined && httpStatus >= 500)) return 'unavailable';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  if (httpStatus === 400 || code === 'badRequest') return 'invalid';
  return 'other';
}

/** The service's own code and message from an error body. */
export function readBody(service: string, status: number, text: string): { code: string; message: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Glance answers with a text page: "404 Not Found\n\nNo image found with ID …".
    return { code: `HTTP${status}`, message: text.split('\n').map((l) => l.trim()).filter(Boolean).slice(1).join(' ') || text.trim() };
  }
  const b = (body ?? {}) as Record<string, { type?: unknown; message?: unknown; title?: unknown; code?: unknown } | undefined>;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const neutron = b.NeutronError;
  if (neutron && typeof neutron === 'object') return { code: str(neutron.type, `HTTP${status}`), message: str(neutron.message, '') };
  const error = b.error;
  if (service === 'identity' && error && typeof error === 'object') return { code: str(error.title, `HTTP${status}`).replace(/\s+/g, ''), message: str(error.message, '') };
  const [fault, detail] = Object.entries(b)[0] ?? [];
  if (fault && detail && typeof detail === 'object') {
    const message = str(detail.message, '');
    return { code: status === 403 && /^Quota exceeded/i.test(message) ? 'QuotaExceeded' : fault, message };
  }
  return { code: `HTTP${status}`, message: text.slice(0, 300) };
}

/** The cloud's answer in a thrown value, when it is the client's HTTP error. */
function answerOf(e: unknown): HttpAnswer | undefined {
  return e instanceof OsHttpError ? { ...readBody(e.service, e.status, e.body), status: e.status, retryAfterMs: e.retryAfterMs } : undefined;
}

const errors = restErrors({ provider: 'openstack', classify: classifyOpenStackCode, hints: HINTS, answerOf });
export const { error: providerError, socketFailure: failureOf, toError: toProviderError, failure: openstackFailure } = errors;
