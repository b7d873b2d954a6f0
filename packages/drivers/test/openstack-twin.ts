/** Shared set-up for OpenStack tests against Cloud-Twin: a twin, a connection to its Keystone, a raw API caller. */
import type { Connection, CredentialMaterial } from '@cloud-barista/core';
import type { TwinOptions } from '@cloud-barista/twin';
import { testConnectionOf } from './connection.js';
import { startTwinBed, type Twin, type TwinBed } from './twin-bed.js';

export type { Twin };

export function openstackConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'twin-openstack', provider: 'openstack', region: 'RegionOne', endpoint: twin.endpoints.openstack, sshPort: twin.sshPort, ...over });
}

/** The twin's Keystone user as a stored password credential would hold it. */
export function passwordCredential(twin: Twin): Extract<CredentialMaterial, { kind: 'openstack-password' }> {
  const o = twin.credentials.openstack;
  return { kind: 'openstack-password', authUrl: twin.endpoints.openstack, username: o.username, password: o.password, userDomain: o.domain, projectName: o.projectName, projectDomain: o.domain };
}

export async function bootTwin(sshPort: number, over: Partial<TwinOptions> = {}): Promise<TwinBed & { cleanup(): Promise<void> }> {
  const bed = await startTwinBed('cb-drivers-openstack-', { bootDelayMs: 300, stopDelayMs: 200, sshPort, ...over });
  return { ...bed, cleanup: () => bed.close() };
}

/** A raw call to one of the twin's OpenStack services with a fresh token: the look behind the driver. */
export async function rawOpenStack(twin: Twin, service: 'compute/v2.1' | 'network/v2.0', path: string): Promise<Record<string, unknown[]>> {
  const o = twin.credentials.openstack;
  const auth = { auth: { identity: { methods: ['application_credential'], application_credential: { id: o.applicationCredentialId, secret: o.applicationCredentialSecret } } } };
  const res = await fetch(`${twin.endpoints.openstack}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth) });
  const token = res.headers.get('x-subject-token') ?? '';
  const r = await fetch(`${twin.endpoints.aws}/${service}${path}`, { headers: { 'x-auth-token': token } });
  return (await r.json()) as Record<string, unknown[]>;
}
