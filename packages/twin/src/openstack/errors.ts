/**
 * Each OpenStack service's own error body: Nova `{"itemNotFound": {"code": 404, "message": …}}`,
 * Neutron `{"NeutronError": {"type", "message", "detail"}}`, Keystone `{"error": {"code", "title",
 * "message"}}`, Glance's plain-text `404 Not Found` page. One error class carries the status, the
 * service and the service's code; `body()` renders it the way that service does.
 */
export type OsService = 'identity' | 'compute' | 'network' | 'image';

/** Nova's fault names by HTTP status (nova/api/openstack/wsgi.py `Fault`). */
const NOVA_FAULTS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  500: 'computeFault',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class OsError extends Error {
  constructor(
    readonly service: OsService,
    readonly status: number,
    message: string,
    /** Neutron's exception type (`NetworkNotFound`); for others the fault name is derived from the status. */
    readonly type?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The code the request log and fault rules use. */
  get code(): string {
    return this.type ?? (this.service === 'compute' ? NOVA_FAULTS[this.status] ?? 'computeFault' : TITLES[this.status]?.replace(/ /g, '') ?? 'Error');
  }

  /** The body and its content type, in the service's own shape. */
  render(): { contentType: string; text: string } {
    switch (this.service) {
      case 'compute':
        return json({ [NOVA_FAULTS[this.status] ?? 'computeFault']: { code: this.status, message: this.message } });
      case 'network':
        return json({ NeutronError: { type: this.type ?? 'HTTP' + this.status, message: this.message, detail: '' } });
      case 'identity':
        return json({ error: { code: this.status, title: TITLES[this.status] ?? 'Error', message: this.message } });
      case 'image':
        return { contentType: 'text/plain; charset=UTF-8', text: `${this.status} ${TITLES[this.status] ?? 'Error'}\n\n${this.message}\n\n   ` };
    }
  }
}

function json(body: unknown): { contentType: string; text: string } {
  return { contentType: 'application/json', text: JSON.stringify(body) };
}

export const notFound = (service: OsService, what: string, id: string, type?: string): OsError =>
  service === 'compute'
    ? new OsError(service, 404, `${what} ${id} could not be found.`)
    : service === 'network'
      ? new OsError(service, 404, `${what} ${id} could not be found.`, type ?? 'NotFound')
      : new OsError(service, 404, `No ${what} found with ID ${id}`);

export const badRequest = (service: OsService, message: string, type = 'HTTPBadRequest'): OsError =>
  new OsError(service, 400, message, service === 'network' ? type : undefined);

/**
 * What an injected fault answers with. Codes are the ones OpenStack returns: Keystone 401
 * `Unauthorized`; Nova `Conflict` (409), `OverLimit` (403 quota, as Nova answers it), `RateLimit`
 * (429), `ServiceUnavailable` (503); Neutron's exception types (`OverQuota`, `IpAddressGenerationFailure`,
 * `ServiceUnavailable`…); `NoValidHost` is handled by the caller (the build fails, the server goes to ERROR).
 */
export function faultError(service: OsService, code: string): OsError {
  const retry = { 'retry-after': '1' };
  switch (code) {
    case 'Unauthorized':
      return new OsError(service, 401, 'The request you have made requires authentication.', service === 'network' ? 'Unauthorized' : undefined);
    case 'Forbidden':
    case 'PolicyNotAuthorized':
      return new OsError(service, 403, 'Policy does not allow this request to be performed.', service === 'network' ? 'PolicyNotAuthorized' : undefined);
    case 'OverLimit':
    case 'OverQuota':
      return service === 'network'
        ? new OsError(service, 409, 'Quota exceeded for resources: [\'floatingip\'].', 'OverQuota')
        : new OsError(service, 403, 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances');
    case 'Conflict':
      return new OsError(service, 409, 'Cannot perform this action while the instance is in task_state spawning', service === 'network' ? 'Conflict' : undefined);
    case 'RateLimit':
    case 'TooManyRequests':
      return new OsError(service, 429, 'This request was rate-limited.', service === 'network' ? 'TooManyRequests' : undefined, retry);
    case 'IpAddressGenerationFailure':
      return new OsError(service, 409, 'No more IP addresses available on network.', 'IpAddressGenerationFailure');
    case 'ServiceUnavailable':
      return new OsError(service, 503, 'The server is currently unavailable. Please try again at a later time.', service === 'network' ? 'ServiceUnavailable' : undefined, retry);
    default:
      return new OsError(service, 500, `${code} (injected by Cloud-Twin)`, service === 'network' ? code : undefined);
  }
}
