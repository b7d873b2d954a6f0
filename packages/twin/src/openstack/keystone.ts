/**
 * Keystone v3 under /identity: password and application-credential authentication, project
 * scope, tokens with an expiry (`X-Subject-Token`), token validation, and a service catalog whose
 * endpoints point back at the twin, one set per region. Tokens are HMAC-signed by the twin's
 * secret (like Fernet tokens, nothing is stored): every service call verifies the signature and
 * the expiry, so a forged or expired token is a 401 everywhere.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { OpenStackCredentials } from '../auth/credentials.js';
import { sameSecret } from '../auth/jwt.js';
import { OPENSTACK_REGIONS } from './catalog.js';
import { OsError } from './errors.js';

export interface KeystoneAuth {
  user: OpenStackCredentials;
  tokenKey: Buffer;
  /** Token lifetime (Keystone's default: one hour). */
  ttlMs: number;
  now: () => number;
  /** Roles `twin iam` takes away (`role:member`): tokens issued meanwhile lack them. */
  roleDenied?: (role: string) => boolean;
}

/** The roles the twin's user holds on its project (Keystone's defaults: member implies reader). */
export const PROJECT_ROLES: Readonly<Record<string, string>> = { member: 'e7b0ad1b2e6d4b7c9a6f2f8e1b4c5d6a', reader: '3f1e2d4c5b6a79880a1b2c3d4e5f6a7b' };

export interface TokenClaims {
  userId: string;
  /** Absent for an unscoped token. */
  projectId?: string;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  /** Application-credential id, when the token came from one. */
  appCred?: string;
  /** The project roles the token carries (absent in tokens of older twins: all of them). */
  roles?: string[];
}

const PREFIX = 'gAAAAAB';

export function issueToken(auth: KeystoneAuth, c: Omit<TokenClaims, 'issuedAt' | 'expiresAt' | 'auditId'>): { token: string; claims: TokenClaims } {
  const now = auth.now();
  const claims: TokenClaims = { ...c, issuedAt: now, expiresAt: now + auth.ttlMs, auditId: randomBytes(16).toString('base64url').slice(0, 22) };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', auth.tokenKey).update(payload).digest('base64url');
  return { token: `${PREFIX}${payload}.${mac}`, claims };
}

/** The claims of a token the twin signed and that has not expired, else undefined. */
export function verifyToken(auth: KeystoneAuth, token: string | undefined): TokenClaims | undefined {
  if (!token?.startsWith(PREFIX)) return undefined;
  const [payload = '', mac = ''] = token.slice(PREFIX.length).split('.');
  if (!sameSecret(mac, createHmac('sha256', auth.tokenKey).update(payload).digest('base64url'))) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    return claims.expiresAt > auth.now() ? claims : undefined;
  } catch {
    return undefined;
  }
}

const unauthorized = (message = 'The request you have made requires authentication.') => new OsError('identity', 401, message);

const DOMAIN = { id: 'default', name: 'Default' };

function isDefaultDomain(d: unknown): boolean {
  if (d === undefined) return true;
  const x = d as { id?: unknown; name?: unknown };
  return x.id === 'default' || x.name === 'Default';
}

/** The request's identity, checked against the twin's one user and application credential. */
function authenticate(auth: KeystoneAuth, body: Record<string, unknown>): Omit<TokenClaims, 'issuedAt' | 'expiresAt' | 'auditId'> {
  const a = (body.auth ?? {}) as { identity?: Record<string, unknown>; scope?: unknown };
  const identity = a.identity ?? {};
  const methods = Array.isArray(identity.methods) ? (identity.methods as unknown[]).filter((m): m is string => typeof m === 'string') : [];
  if (methods.length === 0) throw new OsError('identity', 400, "Invalid input for field 'identity': 'methods' is a required property");
  const u = auth.user;
  let claims: { userId: string; methods: string[]; projectId?: string; appCred?: string };
  if (methods.includes('application_credential')) {
    const ac = (identity.application_credential ?? {}) as { id?: unknown; name?: unknown; secret?: unknown; user?: { id?: unknown; name?: unknown } };
    const known = ac.id === u.applicationCredentialId || (ac.name === 'cb-twin' && (ac.user?.id === u.userId || ac.user?.name === u.username));
    if (!known || typeof ac.secret !== 'string' || !sameSecret(ac.secret, u.applicationCredentialSecret)) throw unauthorized();
    if (a.scope !== undefined) throw unauthorized('Cannot request a scope with an application credential: it is scoped already.');
    return { userId: u.userId, methods: ['application_credential'], projectId: u.projectId, appCred: u.applicationCredentialId };
  }
  if (methods.includes('password')) {
    const user = ((identity.password ?? {}) as { user?: { id?: unknown; name?: unknown; domain?: unknown; password?: unknown } }).user ?? {};
    const who = user.id === u.userId || (user.name === u.username && isDefaultDomain(user.domain));
    if (!who || typeof user.password !== 'string' || !sameSecret(user.password, u.password)) throw unauthorized();
    claims = { userId: u.userId, methods: ['password'] };
  } else if (methods.includes('token')) {
    const old = verifyToken(auth, ((identity.token ?? {}) as { id?: string }).id);
    if (!old) throw unauthorized('The token is invalid or has expired.');
    claims = { userId: old.userId, methods: old.methods };
  } else {
    throw unauthorized(`Attempted to authenticate with an unsupported method: ${methods.join(', ')}`);
  }
  const scope = a.scope as { project?: { id?: unknown; name?: unknown; domain?: unknown } } | undefined;
  if (scope?.project) {
    const p = scope.project;
    if (p.id !== u.projectId && !(p.name === u.projectName && isDefaultDomain(p.domain))) throw unauthorized(`User ${u.userId} has no access to project ${String(p.id ?? p.name)}`);
    claims.projectId = u.projectId;
  } else if (scope !== undefined) {
    throw unauthorized('The twin grants project scope only.');
  }
  return claims;
}

/** Where each service of a region lives on the twin: RegionOne at the root (as DevStack), others under /<Region>. */
export function serviceUrl(base: string, region: string, service: 'compute' | 'network' | 'image'): string {
  const prefix = region === OPENSTACK_REGIONS[0].name ? '' : `/${region}`;
  return `${base}${prefix}/${service === 'compute' ? 'compute/v2.1' : service}`;
}

function catalog(base: string): unknown[] {
  const entry = (type: string, name: string, url: (region: string) => string) => ({
    id: createHmac('sha256', 'catalog').update(type).digest('hex').slice(0, 32),
    type,
    name,
    endpoints: OPENSTACK_REGIONS.flatMap((r) =>
      ['public', 'internal', 'admin'].map((iface) => ({
        id: createHmac('sha256', 'endpoint').update(`${type}/${r.name}/${iface}`).digest('hex').slice(0, 32),
        interface: iface,
        region: r.name,
        region_id: r.name,
        url: url(r.name),
      })),
    ),
  });
  return [
    entry('identity', 'keystone', () => `${base}/identity`),
    entry('compute', 'nova', (r) => serviceUrl(base, r, 'compute')),
    entry('network', 'neutron', (r) => serviceUrl(base, r, 'network')),
    entry('image', 'glance', (r) => serviceUrl(base, r, 'image')),
  ];
}

function tokenBody(auth: KeystoneAuth, c: TokenClaims, base: string): unknown {
  const u = auth.user;
  return {
    token: {
      methods: c.methods,
      user: { domain: DOMAIN, id: c.userId, name: u.username, password_expires_at: null },
      audit_ids: [c.auditId],
      expires_at: new Date(c.expiresAt).toISOString().replace(/Z$/, '000Z'),
      issued_at: new Date(c.issuedAt).toISOString().replace(/Z$/, '000Z'),
      ...(c.projectId
        ? {
            project: { domain: DOMAIN, id: c.projectId, name: u.projectName },
            is_domain: false,
            roles: (c.roles ?? Object.keys(PROJECT_ROLES)).map((name) => ({ id: PROJECT_ROLES[name], name })),
            catalog: catalog(base),
          }
        : {}),
      ...(c.appCred ? { application_credential: { id: c.appCred, name: 'cb-twin', restricted: true } } : {}),
    },
  };
}

function versionDoc(base: string) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

export interface KeystoneResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  action: string;
}

/** One Keystone request; `segs` are the path segments after /identity. */
export function keystone(auth: KeystoneAuth, method: string, segs: string[], headers: Record<string, string | string[] | undefined>, body: Record<string, unknown>, base: string): KeystoneResponse {
  const path = segs.join('/');
  if (method === 'GET' && path === '') return { status: 300, body: { versions: { values: [versionDoc(base)] } }, action: 'versions.list' };
  if (method === 'GET' && path === 'v3') return { status: 200, body: { version: versionDoc(base) }, action: 'versions.get' };
  if (method === 'POST' && path === 'v3/auth/tokens') {
    const who = authenticate(auth, body);
    const roles = who.projectId ? Object.keys(PROJECT_ROLES).filter((r) => !auth.roleDenied?.(r)) : undefined;
    const { token, claims } = issueToken(auth, { ...who, ...(roles ? { roles } : {}) });
    return { status: 201, body: tokenBody(auth, claims, base), headers: { 'x-subject-token': token }, action: 'tokens.create' };
  }
  const caller = verifyToken(auth, header(headers, 'x-auth-token'));
  if (!caller) throw unauthorized();
  if (path === 'v3/auth/tokens' && (method === 'GET' || method === 'HEAD' || method === 'DELETE')) {
    const subject = verifyToken(auth, header(headers, 'x-subject-token'));
    if (!subject) throw new OsError('identity', 404, 'Could not find token: the token is invalid or has expired.');
    if (method === 'DELETE') return { status: 204, action: 'tokens.revoke' };
    return { status: 200, body: tokenBody(auth, subject, base), headers: { 'x-subject-token': header(headers, 'x-subject-token') ?? '' }, action: 'tokens.validate' };
  }
  if (method === 'GET' && path === 'v3/auth/catalog') return { status: 200, body: { catalog: catalog(base), links: { self: `${base}/identity/v3/auth/catalog` } }, action: 'catalog.get' };
  if (method === 'GET' && (path === 'v3/auth/projects' || path === `v3/users/${caller.userId}/projects`)) {
    const p = { id: auth.user.projectId, name: auth.user.projectName, domain_id: 'default', enabled: true, is_domain: false, parent_id: 'default', description: 'Cloud-Twin', tags: [], links: { self: `${base}/identity/v3/projects/${auth.user.projectId}` } };
    return { status: 200, body: { projects: [p], links: { self: `${base}/identity/v3/${path.slice(3)}`, next: null, previous: null } }, action: 'projects.list' };
  }
  if (method === 'GET' && path === 'v3/regions') {
    const regions = OPENSTACK_REGIONS.map((r) => ({ id: r.name, description: '', parent_region_id: null, links: { self: `${base}/identity/v3/regions/${r.name}` } }));
    return { status: 200, body: { regions, links: { self: `${base}/identity/v3/regions`, next: null, previous: null } }, action: 'regions.list' };
  }
  throw new OsError('identity', 404, `Could not find the resource ${path}.`);
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
