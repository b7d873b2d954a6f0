/**
 * The ECS SDK client (`@alicloud/ecs20140526` on `@alicloud/openapi-client`) for a connection:
 * `connection.endpoint` when set (Cloud-Twin, a private endpoint), else the region's public
 * `ecs.<region>.aliyuncs.com`; a stored AccessKey, or Alibaba's own credential chain
 * (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, ~/.aliyun/config.json, ~/.alibabacloud/credentials, RAM role).
 */
import CredentialModule from '@alicloud/credentials';
import EcsModule from '@alicloud/ecs20140526';
import * as OpenApi from '@alicloud/openapi-client';
import type { Connection, CredentialMaterial } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';

/**
 * The class a CommonJS package exports as `default`: Node's ESM loader hands over `module.exports`
 * (class under `.default`), bundlers and vitest the class itself.
 */
function cjsDefault<T>(m: { default: T }): T {
  const inner = (m as { default?: unknown }).default;
  return (typeof inner === 'function' ? inner : m) as T;
}

const EcsClientClass = cjsDefault(EcsModule);
const CredentialClass = cjsDefault(CredentialModule);
export type EcsClient = InstanceType<typeof EcsClientClass>;

export { cjsDefault };

export function secretsOf(c: CredentialMaterial): string[] {
  return c.kind === 'alibaba-access-key' ? [c.accessKeySecret] : [];
}

/** `host[:port]` and protocol for an endpoint URL such as `http://127.0.0.1:4566`. */
export function endpointOptions(endpoint: string | undefined): { endpoint?: string; protocol?: string } {
  if (!endpoint) return {};
  const u = new URL(endpoint);
  return { endpoint: u.host, protocol: u.protocol.replace(/:$/, '') };
}

export function createEcsClient(connection: Connection, credentials: CredentialMaterial): EcsClient {
  const base = { regionId: connection.region, ...endpointOptions(connection.endpoint), readTimeout: 30_000, connectTimeout: 10_000 };
  if (credentials.kind === 'alibaba-access-key') {
    return new EcsClientClass(new OpenApi.Config({ ...base, accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret }));
  }
  if (credentials.kind === 'default-chain') {
    return new EcsClientClass(new OpenApi.Config({ ...base, credential: new CredentialClass() }));
  }
  throw new UsageError(`an Alibaba Cloud connection cannot use a '${credentials.kind}' credential`, {
    hint: 'store an AccessKey (`cbadm credential add NAME --provider alibaba --access-key-id ID`, secret on stdin) or use the Alibaba credential chain',
  });
}
