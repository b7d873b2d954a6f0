/**
 * A cloud endpoint nobody listens on: each driver reports ECONNREFUSED (class unavailable), with the
 * host:port that refused, so a caller that knows what should listen there can say how to fix it.
 * Azure's identity library hides the socket error behind `endpoints_resolution_error`; the driver
 * surfaces it rather than calling a down endpoint a credential problem.
 */
import { ProviderError } from '@cloud-barista/core/errors';
import type { Connection, CredentialMaterial, Provider } from '@cloud-barista/core';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/net.js';
import { socketEndpoint } from '../src/common/errors.js';
import { driverRegistry } from '../src/index.js';

const CREDENTIALS: Record<string, CredentialMaterial> = {
  aws: { kind: 'aws-keys', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
  azure: { kind: 'azure-client-secret', tenantId: '00000000-0000-4000-8000-000000000001', clientId: '00000000-0000-4000-8000-000000000002', clientSecret: 'secret' },
};

async function refusal(provider: Provider, endpoint: string, extra: Partial<Connection> = {}): Promise<ProviderError> {
  const factory = await driverRegistry.load(provider);
  const connection: Connection = { name: 'nobody-home', provider, region: provider === 'aws' ? 'us-east-1' : 'koreacentral', endpoint, sshPort: 22, labels: {}, createdAt: new Date().toISOString(), ...extra };
  const driver = factory({ connection, credentials: CREDENTIALS[provider]!, maxAttempts: 1 });
  try {
    const err = await driver.catalog.listRegions().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  } finally {
    driver.close();
  }
}

describe('a refused endpoint', () => {
  it('AWS: ECONNREFUSED with the endpoint', async () => {
    const port = await freePort();
    const e = await refusal('aws', `http://127.0.0.1:${port}`);
    expect([e.code, e.errorClass, e.endpoint]).toEqual(['ECONNREFUSED', 'unavailable', `127.0.0.1:${port}`]);
    expect(e.toJSON()).toMatchObject({ endpoint: `127.0.0.1:${port}` });
  });

  it('Azure: ECONNREFUSED at the token endpoint, not a credential error', async () => {
    const port = await freePort();
    const e = await refusal('azure', `https://127.0.0.1:${port}`, { authEndpoint: `https://127.0.0.1:${port}`, subscription: '00000000-0000-4000-8000-00000000cb01' });
    expect([e.code, e.errorClass, e.endpoint]).toEqual(['ECONNREFUSED', 'unavailable', `127.0.0.1:${port}`]);
  });

  it('socketEndpoint reads Node socket errors, cause chains and HTTP clients’ request URLs', () => {
    const sys = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 4000 });
    expect(socketEndpoint(sys)).toBe('127.0.0.1:4000');
    expect(socketEndpoint(new Error('fetch failed', { cause: new AggregateError([sys]) }))).toBe('127.0.0.1:4000');
    expect(socketEndpoint({ code: 'ECONNREFUSED', config: { url: 'http://127.0.0.2:81/token' } })).toBe('127.0.0.2:81');
    expect(socketEndpoint({ code: 'ECONNREFUSED', config: { url: 'https://example.com/x' } })).toBe('example.com:443');
    expect(socketEndpoint(new Error('no socket here'))).toBeUndefined();
  });
});
