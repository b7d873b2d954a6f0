/** Shared set-up for Azure tests against Cloud-Twin: a twin, a connection to it, raw SDK clients. */
import { Agent } from 'node:https';
import { readFileSync } from 'node:fs';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import type { Connection, CredentialMaterial } from '@cloud-barista/core';
import type { TwinOptions } from '@cloud-barista/twin';
import { startTwinBed, type Twin, type TwinBed } from './twin-bed.js';
import { testConnectionOf } from './connection.js';

export type { Twin };

export const SUBSCRIPTION = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
/** The service principal of the twin last booted (bootTwin fills it from the twin's credentials). */
export const CLIENT_SECRET: Extract<CredentialMaterial, { kind: 'azure-client-secret' }> = { kind: 'azure-client-secret', tenantId: '', clientId: '', clientSecret: '' };

export function azureConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'twin-azure', provider: 'azure', region: 'koreacentral', zone: '1', endpoint: twin.endpoints.azure, authEndpoint: twin.endpoints.azure, caFile: twin.caFile, subscription: SUBSCRIPTION, sshPort: twin.sshPort, ...over });
}

export async function bootTwin(sshPort: number, over: Partial<TwinOptions> = {}): Promise<TwinBed & { cleanup(): Promise<void> }> {
  const bed = await startTwinBed('cb-drivers-azure-', { bootDelayMs: 300, stopDelayMs: 200, sshPort, ...over });
  Object.assign(CLIENT_SECRET, bed.twin.credentials.azure);
  return { ...bed, cleanup: () => bed.close() };
}

/** The official SDK clients, pointed at the twin and trusting its CA: what a user's script would do. */
export function sdkClients(twin: Twin) {
  const agent = new Agent({ ca: readFileSync(twin.caFile, 'utf8') });
  const credential = new ClientSecretCredential(CLIENT_SECRET.tenantId, CLIENT_SECRET.clientId, CLIENT_SECRET.clientSecret, {
    authorityHost: twin.endpoints.azure,
    disableInstanceDiscovery: true,
    agent,
  });
  const options = { endpoint: twin.endpoints.azure, $host: twin.endpoints.azure, agent, retryOptions: { maxRetries: 0 } };
  return {
    compute: new ComputeManagementClient(credential, SUBSCRIPTION, options),
    network: new NetworkManagementClient(credential, SUBSCRIPTION, options),
    resources: new ResourceManagementClient(credential, SUBSCRIPTION, options),
    close: () => agent.destroy(),
  };
}
