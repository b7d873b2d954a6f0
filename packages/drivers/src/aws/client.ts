/**
 * Builds the EC2 client from a connection and its credential material. Against real AWS and
 * against Cloud-Twin alike: only `endpoint` and the credentials differ.
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { fromIni } from '@aws-sdk/credential-providers';
import type { Connection, CredentialMaterial } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { toProviderError } from './errors.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_THROTTLE_WAIT_MS, withRetry } from '../common/retry.js';
import { awsFailure, throttlePolicy } from './retry.js';

/** The secrets in `cred`, so error messages can be scrubbed of them. */
export function secretsOf(cred: CredentialMaterial): string[] {
  if (cred.kind !== 'aws-keys') return [];
  return [cred.secretAccessKey, ...(cred.sessionToken ? [cred.sessionToken] : [])];
}

export function credentialsFor(cred: CredentialMaterial): EC2ClientConfig['credentials'] {
  switch (cred.kind) {
    case 'aws-keys':
      return {
        accessKeyId: cred.accessKeyId,
        secretAccessKey: cred.secretAccessKey,
        ...(cred.sessionToken ? { sessionToken: cred.sessionToken } : {}),
      };
    case 'aws-profile':
      return fromIni({ profile: cred.profile });
    case 'default-chain':
      // Leaving credentials unset makes the SDK use its default chain (env, ~/.aws, SSO, IMDS…).
      return undefined;
    default:
      throw new UsageError(`a ${cred.kind} credential cannot be used with AWS`, { hint: 'use an aws-keys or aws-profile credential, or the default chain' });
  }
}

export interface ClientParams {
  connection: Connection;
  credentials: CredentialMaterial;
  maxAttempts?: number;
  /** How long a throttled call keeps retrying after the SDK's own attempts (DriverOptions). */
  throttleWaitMs?: number;
  /** Backoff bounds of those retries (tests shorten them). */
  throttleBackoff?: { minDelayMs: number; maxDelayMs: number };
  /** Region override, for calls that must go to another region (listing zones per region). */
  region?: string;
  /** Low-level client settings (e.g. a requestHandler that replays recorded responses in tests). */
  overrides?: Partial<EC2ClientConfig>;
}

export function createEc2Client(p: ClientParams): EC2Client {
  // Node 20 is this product's pinned runtime and the SDK version is pinned with it; the SDK's
  // notice that future releases will need Node 22 would otherwise land on every CLI's stderr.
  // An explicit setting by the user still wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new EC2Client({
    region: p.region ?? p.connection.region,
    ...(p.connection.endpoint ? { endpoint: p.connection.endpoint } : {}),
    credentials: credentialsFor(p.credentials),
    // The SDK's standard strategy backs off exponentially with jitter on throttling codes
    // (RequestLimitExceeded…), 429 and transient 5xx, and bounds retries with a token bucket.
    retryMode: 'standard',
    maxAttempts: p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...p.overrides,
  });
  const secrets = secretsOf(p.credentials);
  const policy = { ...throttlePolicy(p.throttleWaitMs ?? DEFAULT_THROTTLE_WAIT_MS), ...p.throttleBackoff };
  // Outermost step, so it sees only the final error after the SDK's retries; every call the driver
  // makes then fails with a core ProviderError and callers branch on its code and class. A call
  // still throttled then is sent again (serialized anew) until the throttling deadline: RunInstances
  // carries a ClientToken, so a repeat launches nothing twice.
  client.middlewareStack.add(
    (next) => (args) =>
      withRetry(
        async () => {
          try {
            return await next(args);
          } catch (e) {
            throw toProviderError(e, secrets);
          }
        },
        awsFailure,
        policy,
      ),
    { step: 'initialize', name: 'cbProviderErrorMiddleware', priority: 'high' },
  );
  return client;
}
