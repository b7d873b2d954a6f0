/**
 * Credentials for the Compute clients: a stored service-account key (a JWT client) or Google's
 * Application Default Credentials. Two things google-auth-library does not do on its own, done here
 * for every endpoint alike:
 * - honour the key's `token_uri` (or the connection's `authEndpoint`), as Google's Python and Go
 *   libraries do; the Node library always posts to oauth2.googleapis.com;
 * - trust the connection's `caFile` for the API and token endpoints.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Connection, CredentialMaterial } from '@cloud-barista/core/model';
import { ProviderError, UsageError } from '@cloud-barista/core/errors';
import { gaxios, GoogleAuth, JWT } from 'google-auth-library';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/** The fields of a service-account key file the driver uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri?: string;
}

export interface GcpAuth {
  /** What the Compute clients authenticate with (a client, or ADC's GoogleAuth). */
  clientOptions: { authClient: JWT } | { auth: GoogleAuth };
  /** The project calls go to: the connection's, else the key's, else ADC's. */
  project(): Promise<string>;
  /** The service account, when known (for `ping`). */
  account?: string;
  /** Secret strings to blank from any error message. */
  secrets: string[];
  /** Resolves once credentials are usable; rejects with a ProviderError saying how to provide them. */
  ready(): Promise<void>;
}

export function parseServiceAccountKey(keyJson: string, connection: string): ServiceAccountKey {
  const bad = (why: string) =>
    new UsageError(`the service-account key of connection '${connection}' ${why}`, {
      hint: 'store the key file as downloaded from the Google Cloud console: cbadm credential add NAME --provider gcp --kind gcp-service-account --key-file KEY.json --replace',
    });
  let key: Partial<Record<keyof ServiceAccountKey, unknown>>;
  try {
    key = JSON.parse(keyJson) as typeof key;
  } catch {
    throw bad('is not JSON');
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') throw bad('has no client_email or private_key');
  try {
    createPrivateKey(key.private_key);
  } catch {
    throw bad('has a private_key that is not a PEM private key');
  }
  return {
    client_email: key.client_email,
    private_key: key.private_key,
    ...(typeof key.private_key_id === 'string' ? { private_key_id: key.private_key_id } : {}),
    ...(typeof key.project_id === 'string' ? { project_id: key.project_id } : {}),
    ...(typeof key.token_uri === 'string' ? { token_uri: key.token_uri } : {}),
  };
}

/** The OAuth token URL: the connection's auth endpoint (a base URL or the token URL itself), the key's, or Google's. */
export function tokenUrlFor(connection: Connection, key?: { token_uri?: string }): string {
  if (connection.authEndpoint) {
    const u = new URL(connection.authEndpoint);
    return u.pathname.endsWith('/token') ? u.href : new URL('token', u.href.endsWith('/') ? u.href : `${u.href}/`).href;
  }
  return key?.token_uri ?? GOOGLE_TOKEN_URL;
}

/**
 * A transporter that sends the library's token requests to the token URL (read when a request is
 * made: ADC loads its key file late) and, given a CA, uses it for requests to the API and token
 * origins (the REST stub names its own agent per request, so the agent is set in an interceptor).
 */
function transporterFor(connection: Connection, tokenUrl: () => string, fetchImplementation?: FetchLike): gaxios.Gaxios {
  const g = new gaxios.Gaxios(fetchImplementation ? { fetchImplementation } : {});
  const ca = connection.caFile ? readFileSync(connection.caFile, 'utf8') : undefined;
  // One TLS context for all sockets (an Agent given `ca` builds one per new socket).
  const agent = ca ? new Agent({ keepAlive: true, secureContext: createSecureContext({ ca }) }) : undefined;
  g.interceptors.request.add({
    resolved: (config) => {
      const token = tokenUrl();
      const url = config.url instanceof URL ? config.url : new URL(String(config.url));
      if (url.href === GOOGLE_TOKEN_URL && token !== GOOGLE_TOKEN_URL) config.url = new URL(token);
      const target = config.url instanceof URL ? config.url : new URL(String(config.url));
      const trusted = [token, connection.endpoint].some((u) => u !== undefined && new URL(u).origin === target.origin);
      if (agent && target.protocol === 'https:' && trusted) config.agent = agent;
      return Promise.resolve(config);
    },
  });
  return g;
}

/** A `fetch` for every request (tests replay recorded responses through it). */
export type FetchLike = NonNullable<gaxios.GaxiosOptions['fetchImplementation']>;

export function gcpAuth(connection: Connection, cred: CredentialMaterial, fetchImplementation?: FetchLike): GcpAuth {
  switch (cred.kind) {
    case 'gcp-service-account': {
      const key = parseServiceAccountKey(cred.keyJson, connection.name);
      const client = new JWT({
        email: key.client_email,
        key: key.private_key,
        ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
        scopes: SCOPES,
        transporter: transporterFor(connection, () => tokenUrlFor(connection, key), fetchImplementation),
      });
      const project = connection.project ?? key.project_id;
      return {
        clientOptions: { authClient: client },
        account: key.client_email,
        secrets: [key.private_key],
        ready: () => Promise.resolve(),
        project: () => {
          if (project) return Promise.resolve(project);
          return Promise.reject(
            new UsageError(`connection '${connection.name}' names no GCP project and its key has no project_id`, {
              hint: `set one: cbadm connection add ${connection.name} --provider gcp --project PROJECT_ID … --replace`,
            }),
          );
        },
      };
    }
    case 'default-chain': {
      // The key file ADC finds (GOOGLE_APPLICATION_CREDENTIALS, gcloud's) may name its own token_uri.
      const fromAdc = (): { token_uri?: string } | undefined => {
        const json = auth.jsonContent as { token_uri?: unknown } | null;
        return typeof json?.token_uri === 'string' ? { token_uri: json.token_uri } : undefined;
      };
      const auth: GoogleAuth = new GoogleAuth({
        scopes: SCOPES,
        clientOptions: { transporter: transporterFor(connection, () => tokenUrlFor(connection, fromAdc()), fetchImplementation) },
      });
      let project: Promise<string> | undefined;
      let ready: Promise<void> | undefined;
      return {
        clientOptions: { auth },
        secrets: [],
        // Finding no credentials is a local failure with a known fix, not an API error.
        ready: () =>
          (ready ??= auth.getClient().then(
            () => undefined,
            (e: unknown) => {
              ready = undefined;
              throw new ProviderError({
                provider: 'gcp',
                code: 'CredentialsError',
                message: `no Application Default Credentials: ${e instanceof Error ? e.message : String(e)}`,
                errorClass: 'auth',
                retryable: false,
                hint: `run \`gcloud auth application-default login\`, set GOOGLE_APPLICATION_CREDENTIALS to a key file, or store a key: cbadm credential add NAME --provider gcp --kind gcp-service-account --key-file KEY.json`,
              });
            },
          )),
        project: () =>
          (project ??= connection.project
            ? Promise.resolve(connection.project)
            : auth.getProjectId().catch((e: unknown) => {
                throw new UsageError(`connection '${connection.name}' names no GCP project and Application Default Credentials give none`, {
                  hint: `set one with --project, or run \`gcloud config set project ID\` (${e instanceof Error ? e.message : String(e)})`,
                });
              })),
      };
    }
    default:
      throw new UsageError(`connection '${connection.name}' uses a ${cred.kind} credential, which is not for GCP`, {
        hint: 'use a gcp-service-account credential, or none for Application Default Credentials',
      });
  }
}
