/**
 * The Azure driver against Cloud-Twin's ARM endpoint over HTTPS (its own CA, trusted through the
 * connection's caFile), through the official SDK: the shared driver contract.
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { TAG, type Connection, type Tags } from '@cloud-barista/core';
import { buildAzureDriver } from '../src/azure/index.js';
import { all } from '../src/azure/context.js';
import { azureConnection, bootTwin, CLIENT_SECRET, sdkClients } from './azure-twin.js';
import { runContractOnTwin } from './contract.js';

/** Everything of ours still in the connection's resource group (and the group itself). */
async function leftovers(resources: ResourceManagementClient, conn: Connection, tags: Tags): Promise<string[]> {
  const group = conn.resourceGroup ?? `cb-${conn.name}`;
  const g = await resources.resourceGroups.get(group).catch(() => undefined);
  if (!g) return [];
  const inside = await all(resources.resources.listByResourceGroup(group));
  const ours = (t: Record<string, string> | undefined) => Object.entries(tags).every(([k, v]) => t?.[k] === v) || t?.[TAG.managed] === 'true';
  return [...(ours(g.tags) ? [g.id ?? group] : []), ...inside.map((r) => r.id ?? '')];
}

runContractOnTwin('azure on Cloud-Twin', bootTwin, ({ twin }) => {
  const conn = azureConnection(twin, { name: 'contract' });
  const sdk = sdkClients(twin);
  return {
    driver: buildAzureDriver({ connection: conn, credentials: CLIENT_SECRET }, { tuning: { pollIntervalMs: 100 } }),
    leftovers: (tags) => leftovers(sdk.resources, conn, tags),
    cleanup: () => sdk.close(),
  };
});
