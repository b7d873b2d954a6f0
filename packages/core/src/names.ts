/**
 * The forms of the names users give that end up as path segments, cloud labels or command-line
 * words: object names (namespace, MCIS, connection, credential, subgroup, VM) and SSH login users.
 * One home for each rule, so flags, environment variables and manifests check the same thing.
 * Pure; imports only the error types.
 */
import { UsageError, type FieldIssue } from './errors.js';

/** Lower-case DNS-label style: safe as a GCE label, an Azure name and a file name alike. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const NAME_MAX = 63;
export const NAME_FORM = 'use lower-case letters, digits and inner dashes, at most 63 characters (e.g. web-1)';

/**
 * A login name as OpenSSH and useradd accept it: never starting with '-' (which ssh would read
 * as an option, e.g. `-oProxyCommand=…`), no '@', no spaces or shell characters.
 */
export const LOGIN_USER_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const LOGIN_USER_MAX = 32;
export const LOGIN_USER_FORM = 'start with a letter or _, then letters, digits, _, . or -, at most 32 characters (e.g. ubuntu)';

/** The issue with `value` as a name, or undefined when it is one. */
export function nameIssue(field: string, value: string): FieldIssue | undefined {
  return value.length <= NAME_MAX && NAME_PATTERN.test(value) ? undefined : { path: field, message: NAME_FORM };
}

/** The issue with `value` as an SSH login user, or undefined when it is one. */
export function loginUserIssue(field: string, value: string): FieldIssue | undefined {
  return value.length <= LOGIN_USER_MAX && LOGIN_USER_PATTERN.test(value) ? undefined : { path: field, message: LOGIN_USER_FORM };
}

/** Returns `value` if it is a valid name; else a UsageError (exit 2) naming the field and the form. */
export function requireName(field: string, value: string): string {
  const issue = nameIssue(field, value);
  if (issue) throw new UsageError(`invalid ${field} ${JSON.stringify(value)}`, { issues: [issue] });
  return value;
}
