/**
 * Cloudit's error answers: a JSON body `{"status": 404, "code": "SERVER_NOT_FOUND", "message": …}`
 * with the HTTP status. Fault rules name a code; the status it answers with is Cloudit's for it.
 */
export class ClouditError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): { status: number; code: string; message: string } {
    return { status: this.status, code: this.code, message: this.message };
  }
}

export const notFound = (what: string, id: string) => new ClouditError(404, `${what.toUpperCase().replace(/ /g, '_')}_NOT_FOUND`, `${what} '${id}' does not exist`);
export const badRequest = (message: string, code = 'INVALID_PARAMETER') => new ClouditError(400, code, message);
export const conflict = (code: string, message: string) => new ClouditError(409, code, message);

/** The HTTP status an injected code answers with: by its name, 400 otherwise. */
const FAULT_STATUS: [RegExp, number][] = [
  [/UNAUTHORI[SZ]ED|TOKEN/i, 401],
  [/FORBIDDEN|PERMISSION/i, 403],
  [/NOT_FOUND/i, 404],
  [/CONFLICT|DUPLICATE|IN_USE/i, 409],
  [/TOO_MANY|THROTTL|RATE_LIMIT/i, 429],
  [/UNAVAILABLE/i, 503],
  [/INTERNAL|SERVER_ERROR/i, 500],
  [/INSUFFICIENT|QUOTA|EXCEEDED/i, 409],
];

export function faultError(code: string): ClouditError {
  const status = FAULT_STATUS.find(([re]) => re.test(code))?.[1] ?? 400;
  return new ClouditError(status, code, `injected fault: ${code}`);
}
