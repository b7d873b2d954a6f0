/** Shared set-up for Cloudit tests against Cloud-Twin: a connection to its Cloudit, the credential, a raw API caller. */
import type { Connection, CredentialMaterial } from '@cloud-barista/core';
import { bootTwin, type Twin } from './openstack-twin.js';

export { bootTwin, type Twin };

export const CLOUDIT_ZONE = 'kr-seoul-1';

export function clouditConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return {
    name: 'twin-cloudit',
    provider: 'cloudit',
    region: CLOUDIT_ZONE,
    endpoint: twin.endpoints.cloudit,
    sshPort: twin.sshPort,
    labels: {},
    createdAt: new Date().toISOString(),
    ...over,
  };
}

/** The twin's Cloudit IAM user as a stored cloudit-password credential holds it. */
export function clouditCredential(twin: Twin): Extract<CredentialMaterial, { kind: 'cloudit-password' }> {
  const c = twin.credentials.cloudit;
  return { kind: 'cloudit-password', identityEndpoint: twin.endpoints.cloudit, username: c.id, password: c.password, tenantId: c.tenantId };
}

/** A raw GET on one of the twin's Cloudit services with a fresh token: the look behind the driver. */
export async function rawCloudit<T = { id: string; name: string; description?: string }[]>(twin: Twin, service: 'iam' | 'ace' | 'dna', path: string): Promise<T> {
  const c = twin.credentials.cloudit;
  const base = `${twin.endpoints.cloudit}/cloudit/v5.0`;
  const auth = await fetch(`${base}/iam/v1.0/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: c.id, password: c.password, tenant: c.tenantId }) });
  const { token } = (await auth.json()) as { token: string };
  const r = await fetch(`${base}/${service}/v1.0/${c.tenantId}${path}`, { headers: { 'x-auth-token': token } });
  return (await r.json()) as T;
}
