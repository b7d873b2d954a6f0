/**
 * The identity endpoints an Azure credential talks to when its `authorityHost` is the twin: OpenID
 * discovery, instance discovery, and the OAuth 2.0 token endpoint (client credentials). Tokens go
 * to the twin's one service principal, for its secret only; they are HS256 JWTs under a key derived
 * from the twin's secret, which the ARM side verifies.
 */
import { randomUUID } from 'node:crypto';
import { sameSecret, signHs256 } from '../auth/jwt.js';

export interface ServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface IdentityResponse {
  status: number;
  body: unknown;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validTenant(t: string): boolean {
  return GUID.test(t) || t === 'common' || t === 'organizations' || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t);
}

function aadError(status: number, error: string, code: number, description: string): IdentityResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' ').replace('Z', 'Z'),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}

/** Answers identity paths; undefined when the path is not one of them. */
export function identity(
  method: string,
  path: string,
  base: string,
  form: URLSearchParams,
  auth: { principal: ServicePrincipal; tokenKey: Buffer },
): IdentityResponse | undefined {
  const parts = path.split('/').filter(Boolean);
  const tenant = parts[0] ?? '';
  const rest = parts.slice(1).join('/').toLowerCase();
  if (method === 'GET' && rest === 'discovery/instance') {
    const host = new URL(base).host;
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }
  if (method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
    if (!validTenant(tenant)) return aadError(400, 'invalid_tenant', 900023, `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`);
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/${tenant}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
        tenant_region_scope: null,
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      },
    };
  }
  if (method === 'POST' && rest === 'oauth2/v2.0/token') {
    if (!validTenant(tenant)) return aadError(400, 'invalid_request', 900023, `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`);
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
    const clientId = form.get('client_id') ?? '';
    if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const sp = auth.principal;
    if (tenant.toLowerCase() !== sp.tenantId) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (clientId.toLowerCase() !== sp.clientId) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (form.get('client_assertion')) {
      return aadError(401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
    }
    if (!sameSecret(form.get('client_secret') ?? '', sp.clientSecret)) {
      return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const scope = form.get('scope') ?? '';
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: scope.replace(/\/?\.default$/, '').split(' ')[0], iss: `${base}/${tenant}/v2.0`, iat: now, nbf: now, exp: now + 3599, appid: clientId, tid: tenant, oid: randomUUID(), sub: clientId };
    const token = signHs256(claims, auth.tokenKey);
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  }
  return undefined;
}
