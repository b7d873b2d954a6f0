/**
 * Azure credentials and ARM clients for a connection. The same code for Azure and for Cloud-Twin:
 * `endpoint` is the ARM endpoint, `authEndpoint` the credential's authority host, and `caFile` a CA
 * the HTTPS agent trusts on top of the system's roots (a private cloud's, or the twin's).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import type { Connection, CredentialMaterial } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS } from '../common/retry.js';
import { throttlePolicy } from './retry.js';
import type { HttpClient, TokenCredential } from './sdk-types.js';
import { tokenSocketWatch } from './token-socket.js';

/** The SDK's credential and HTTP client types, as its clients take them. */
export type { HttpClient, TokenCredential } from './sdk-types.js';

export interface AzureClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  subscription: string;
  close(): void;
}

export interface ClientParams {
  connection: Connection;
  credentials: CredentialMaterial;
  maxAttempts?: number;
  /** Test seams: a replaying HttpClient and a static credential; never set for a real endpoint. */
  httpClient?: HttpClient;
  credential?: TokenCredential;
  /** First retry delay (ms); the SDK doubles it with jitter, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long a throttled request keeps being retried after the SDK's own retries (DriverOptions). */
  throttleWaitMs?: number;
}

/** The secrets in `cred`, so error messages can be scrubbed of them. */
export function secretsOf(cred: CredentialMaterial): string[] {
  return cred.kind === 'azure-client-secret' ? [cred.clientSecret] : [];
}

/** An HTTPS agent trusting the system roots plus the connection's CA file, if it names one. */
export function agentFor(conn: Connection): Agent | undefined {
  if (!conn.caFile) return undefined;
  let pem: string;
  try {
    pem = readFileSync(conn.caFile, 'utf8');
  } catch (e) {
    throw new UsageError(`connection '${conn.name}': cannot read its CA file ${conn.caFile}: ${(e as Error).message}`, {
      hint: `fix the path with \`cbadm connection add ${conn.name} … --ca-file PATH --replace\``,
    });
  }
  // One TLS context for all sockets: an Agent given `ca` would build a context (parsing the ~150
  // system roots) for every new socket, and key every request by the roots' text.
  return new Agent({ keepAlive: true, secureContext: createSecureContext({ ca: [...rootCertificates, pem] }) });
}

export function subscriptionOf(conn: Connection): string {
  const sub = conn.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
  if (!sub) {
    throw new UsageError(`connection '${conn.name}' names no Azure subscription`, {
      hint: `add it: cbadm connection add ${conn.name} --provider azure --subscription SUBSCRIPTION_ID … --replace (or set AZURE_SUBSCRIPTION_ID)`,
    });
  }
  return sub;
}

function credentialFor(conn: Connection, cred: CredentialMaterial, agent: Agent | undefined): TokenCredential {
  const watch = tokenSocketWatch();
  const options = {
    additionalPolicies: [watch.policy],
    ...(conn.authEndpoint
      ? {
          authorityHost: conn.authEndpoint,
          // Instance discovery asks login.microsoftonline.com to vouch for the authority; a private
          // authority (Azure Stack, a sovereign or emulated cloud) is not known there.
          disableInstanceDiscovery: true,
        }
      : {}),
    ...(agent ? { agent } : {}),
  };
  switch (cred.kind) {
    case 'azure-client-secret':
      try {
        return watch.wrap(new ClientSecretCredential(cred.tenantId, cred.clientId, cred.clientSecret, options));
      } catch (e) {
        // The SDK checks the ids' form up front (a tenant id with spaces…): bad input, not a cloud error.
        throw new UsageError(`credential of connection '${conn.name}' is not usable: ${(e as Error).message}`, {
          hint: 'store it again with the tenant id (a GUID or a domain), client id and secret of the service principal',
        });
      }
    case 'default-chain':
      // Environment (AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET…), workload identity, managed identity, Azure CLI…
      return watch.wrap(new DefaultAzureCredential(options));
    default:
      throw new UsageError(`a ${cred.kind} credential cannot be used with Azure`, {
        hint: 'use an azure-client-secret credential or the default chain (environment, Azure CLI, managed identity)',
      });
  }
}

export function createAzureClients(p: ClientParams): AzureClients {
  const conn = p.connection;
  const subscription = subscriptionOf(conn);
  const agent = p.httpClient ? undefined : agentFor(conn);
  const credential = p.credential ?? credentialFor(conn, p.credentials, agent);
  const options = {
    ...(conn.endpoint ? { endpoint: conn.endpoint, $host: conn.endpoint } : {}),
    ...(agent ? { agent } : {}),
    ...(p.httpClient ? { httpClient: p.httpClient } : {}),
    // The SDK's retry policies back off exponentially with jitter on 5xx and network errors, and
    // wait out Retry-After on 429 and 503; the throttle policy keeps a 429 going to its deadline.
    retryOptions: {
      maxRetries: Math.max(0, (p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) - 1),
      retryDelayInMs: p.retryDelayMs ?? 1_000,
      maxRetryDelayInMs: p.maxRetryDelayMs ?? 30_000,
    },
    additionalPolicies: [
      throttlePolicy({
        minDelayMs: p.retryDelayMs ?? 1_000,
        maxDelayMs: p.maxRetryDelayMs ?? 30_000,
        throttleWaitMs: p.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS,
      }),
    ],
    userAgentOptions: { userAgentPrefix: 'cloud-barista' },
  };
  return {
    compute: new ComputeManagementClient(credential, subscription, options),
    network: new NetworkManagementClient(credential, subscription, options),
    resources: new ResourceManagementClient(credential, subscription, options),
    subscription,
    close: () => agent?.destroy(),
  };
}
