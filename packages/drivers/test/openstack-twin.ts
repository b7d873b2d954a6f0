/** Shared set-up for OpenStack tests against Cloud-Twin: a twin, a connection to its Keystone, a raw API caller. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, CredentialMaterial } from '@cloud-barista/core';
import { startTwin, type RequestLogEntry, type TwinOptions } from '@cloud-barista/twin';

export type Twin = Awaited<ReturnType<typeof startTwin>>;

export function openstackConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return {
    name: 'twin-openstack',
    provider: 'openstack',
    region: 'RegionOne',
    endpoint: twin.endpoints.openstack,
    sshPort: twin.sshPort,
    labels: {},
    createdAt: new Date().toISOString(),
    ...over,
  };
}

/** The twin's Keystone user as a stored password credential would hold it. */
export function passwordCredential(twin: Twin): Extract<CredentialMaterial, { kind: 'openstack-password' }> {
  const o = twin.credentials.openstack;
  return { kind: 'openstack-password', authUrl: twin.endpoints.openstack, username: o.username, password: o.password, userDomain: o.domain, projectName: o.projectName, projectDomain: o.domain };
}

export async function bootTwin(sshPort: number, over: Partial<TwinOptions> = {}): Promise<{ twin: Twin; requests: RequestLogEntry[]; cleanup(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cb-drivers-openstack-'));
  const requests: RequestLogEntry[] = [];
  const twin = await startTwin({ stateDir, bootDelayMs: 300, stopDelayMs: 200, sshPort, port: 0, log: () => {}, onRequest: (e) => requests.push(e), ...over });
  return {
    twin,
    requests,
    cleanup: async () => {
      await twin.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
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
