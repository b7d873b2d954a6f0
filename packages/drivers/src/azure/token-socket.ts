/**
 * MSAL, under @azure/identity, turns a token endpoint that does not answer (connection refused, no
 * route) into `CredentialUnavailableError: endpoints_resolution_error` with no cause: a down
 * endpoint would read as a credential problem. The identity client's requests still go through an
 * SDK pipeline, so a per-retry policy sees the socket failure first; the credential wrapper throws
 * that instead (a RestError whose cause is Node's socket error, classified like any other).
 */
import type { ComputeManagementClientOptionalParams } from '@azure/arm-compute';
import { NETWORK_CODES } from '../common/errors.js';
import type { TokenCredential } from './sdk-types.js';

type AdditionalPolicy = NonNullable<ComputeManagementClientOptionalParams['additionalPolicies']>[number];

function isSocketFailure(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = (e as { code?: unknown } | undefined)?.code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || (typeof cause?.code === 'string' && NETWORK_CODES.has(cause.code));
}

/** The last socket failure of the identity client's requests, and the policy that records it. */
export function tokenSocketWatch(): { policy: AdditionalPolicy; wrap(credential: TokenCredential): TokenCredential } {
  let last: unknown;
  const policy: AdditionalPolicy = {
    position: 'perRetry',
    policy: {
      name: 'cb-token-socket-failure',
      async sendRequest(request, next) {
        try {
          return await next(request);
        } catch (e) {
          if (isSocketFailure(e)) last = e;
          throw e;
        }
      },
    },
  };
  return {
    policy,
    wrap: (credential) => ({
      async getToken(scopes, options) {
        last = undefined;
        try {
          return await credential.getToken(scopes, options);
        } catch (e) {
          throw last ?? e;
        }
      },
    }),
  };
}
