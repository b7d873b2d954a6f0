/**
 * The twin's OAuth 2.0 token endpoint (`POST /token`), standing in for oauth2.googleapis.com:
 * it takes the JWT-bearer grant that google-auth-library sends for a service-account key (and the
 * refresh-token grant of user credentials) and issues an access token. The twin cannot check a
 * signature it has no public key for: it checks the assertion's form and lifetime, as far as a
 * client can get them wrong, and remembers whose token it issued.
 */
import { randomBytes } from 'node:crypto';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_REMEMBERED = 10_000;
const TOKEN_LIFETIME_SEC = 3599;

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const invalidGrant = (description: string): TokenAnswer => ({
  status: 400,
  body: { error: 'invalid_grant', error_description: description },
});

export class TokenIssuer {
  /** Access token → the account it was issued to. */
  private readonly issued = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Answers a token request (its form-encoded body). */
  issue(form: URLSearchParams): TokenAnswer {
    const grant = form.get('grant_type');
    let account: string;
    if (grant === JWT_BEARER) {
      const parts = (form.get('assertion') ?? '').split('.');
      const header = decodePart(parts[0]);
      const claims = decodePart(parts[1]);
      if (parts.length !== 3 || !header || !claims || !parts[2]) return invalidGrant('Invalid JWT: the assertion is not a signed JWT.');
      if (header.alg !== 'RS256') return invalidGrant(`Invalid JWT: algorithm ${String(header.alg)} is not RS256.`);
      const { iss, scope, aud, iat, exp } = claims;
      if (typeof iss !== 'string' || !iss) return invalidGrant('Invalid JWT: No valid issuer (iss) claim.');
      if (typeof aud !== 'string' || !aud) return invalidGrant('Invalid JWT: No valid audience (aud) claim.');
      if (typeof scope !== 'string' && claims.target_audience === undefined) {
        return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' } };
      }
      const nowSec = Math.floor(this.now() / 1000);
      if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= nowSec || exp - iat > 3600 || iat > nowSec + 300) {
        return invalidGrant(
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
        );
      }
      account = iss;
    } else if (grant === 'refresh_token') {
      if (!form.get('refresh_token')) return { status: 400, body: { error: 'invalid_request', error_description: 'Missing required parameter: refresh_token' } };
      account = form.get('client_id') ?? 'user';
    } else {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant ?? ''}` } };
    }
    const token = `ya29.twin.${randomBytes(24).toString('base64url')}`;
    if (this.issued.size >= MAX_REMEMBERED) this.issued.delete(this.issued.keys().next().value ?? '');
    this.issued.set(token, account);
    return { status: 200, body: { access_token: token, expires_in: TOKEN_LIFETIME_SEC, token_type: 'Bearer' } };
  }

  /** The account behind a bearer token; any token is accepted, unknown ones as an anonymous user. */
  accountOf(token: string): string {
    return this.issued.get(token) ?? 'user@cloud-twin.invalid';
  }
}
