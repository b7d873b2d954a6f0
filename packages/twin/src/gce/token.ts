/**
 * The twin's OAuth 2.0 token endpoint (`POST /token`), standing in for oauth2.googleapis.com: it
 * takes the JWT-bearer grant google-auth-library sends for a service-account key, verifies the
 * assertion's RS256 signature with the public key of the twin's service account (as Google does
 * with the keys it holds), and issues an access token the twin can verify later without keeping it:
 * `ya29.` and an HS256 JWT under a key derived from the twin's secret.
 */
import { decodeSegment, rs256Valid, signHs256, verifyHs256 } from '../auth/jwt.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_LIFETIME_SEC = 3599;
const PREFIX = 'ya29.';

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The service account the twin knows: its e-mail, key id and public key. */
export interface ServiceAccount {
  clientEmail: string;
  privateKeyId: string;
  publicKey: string;
}

const invalidGrant = (description: string): TokenAnswer => ({
  status: 400,
  body: { error: 'invalid_grant', error_description: description },
});

/** What a bearer token on a Google API call turned out to be. */
export type Caller = { account: string } | 'missing' | 'invalid';

export class TokenIssuer {
  constructor(
    private readonly account: ServiceAccount,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Answers a token request (its form-encoded body). */
  issue(form: URLSearchParams): TokenAnswer {
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      // The twin has no OAuth clients (user credentials): only its service account gets tokens.
      return { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } };
    }
    if (grant !== JWT_BEARER) {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant ?? ''}` } };
    }
    const assertion = form.get('assertion') ?? '';
    const parts = assertion.split('.');
    const header = decodeSegment(parts[0]);
    const claims = decodeSegment(parts[1]);
    if (parts.length !== 3 || !header || !claims || !parts[2]) return invalidGrant('Invalid JWT: the assertion is not a signed JWT.');
    if (header.alg !== 'RS256') return invalidGrant(`Invalid JWT: algorithm ${String(header.alg)} is not RS256.`);
    const { iss, scope, aud, iat, exp } = claims;
    if (typeof iss !== 'string' || !iss) return invalidGrant('Invalid JWT: No valid issuer (iss) claim.');
    if (typeof aud !== 'string' || !aud) return invalidGrant('Invalid JWT: No valid audience (aud) claim.');
    if (iss !== this.account.clientEmail) return invalidGrant('Invalid grant: account not found');
    if ((header.kid !== undefined && header.kid !== this.account.privateKeyId) || !rs256Valid(assertion, this.account.publicKey)) {
      return invalidGrant('Invalid JWT Signature.');
    }
    if (typeof scope !== 'string' && claims.target_audience === undefined) {
      return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' } };
    }
    const nowSec = Math.floor(this.now() / 1000);
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= nowSec || exp - iat > 3600 || iat > nowSec + 300) {
      return invalidGrant(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const token = `${PREFIX}${signHs256({ sub: iss, iat: nowSec, exp: nowSec + TOKEN_LIFETIME_SEC }, this.key)}`;
    return { status: 200, body: { access_token: token, expires_in: TOKEN_LIFETIME_SEC, token_type: 'Bearer' } };
  }

  /** Who sent a request, from its Authorization header: only tokens this twin issued count. */
  caller(authorization: string | undefined): Caller {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing';
    if (!token.startsWith(PREFIX)) return this.selfSigned(token);
    const claims = verifyHs256(token.slice(PREFIX.length), this.key, this.now());
    return typeof claims?.sub === 'string' ? { account: claims.sub } : 'invalid';
  }

  /**
   * A self-signed JWT: Google's client libraries may send a service account's own RS256 JWT as the
   * bearer instead of exchanging it (JWT access), and Google takes it when the account's key signed it.
   */
  private selfSigned(token: string): Caller {
    const parts = token.split('.');
    const header = decodeSegment(parts[0]);
    const claims = decodeSegment(parts[1]);
    if (header?.alg !== 'RS256' || !claims || claims.iss !== this.account.clientEmail) return 'invalid';
    if (header.kid !== undefined && header.kid !== this.account.privateKeyId) return 'invalid';
    const nowSec = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= nowSec || exp - iat > 3600 || iat > nowSec + 300) return 'invalid';
    return rs256Valid(token, this.account.publicKey) ? { account: this.account.clientEmail } : 'invalid';
  }
}

/** Google's message for a bearer token it did not issue or that expired. */
export const INVALID_CREDENTIALS =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
export const MISSING_CREDENTIALS =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/**
 * Google's 401 for a call without a token the twin issued, in the shape every Google JSON API
 * answers it (Compute, Resource Manager, Cloud Billing).
 */
export function unauthenticated(caller: 'missing' | 'invalid'): { status: 401; body: unknown } {
  const missing = caller === 'missing';
  return {
    status: 401,
    body: {
      error: {
        code: 401,
        message: missing ? MISSING_CREDENTIALS : INVALID_CREDENTIALS,
        errors: [
          {
            message: missing ? 'Login Required.' : 'Invalid Credentials',
            domain: 'global',
            reason: missing ? 'required' : 'authError',
            location: 'Authorization',
            locationType: 'header',
          },
        ],
        status: 'UNAUTHENTICATED',
      },
    },
  };
}
