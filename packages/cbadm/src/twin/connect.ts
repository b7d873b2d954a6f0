/**
 * `cbadm twin connect`: one connection per twin region, for every provider the running twin
 * serves. Each provider registers its connections in its own module (aws.ts, …), through the same
 * services a user's `connection add` goes through.
 */
import type { Core, DriverRegistry } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { readTwinInfo, twinCredentials } from './control.js';
import type { ProviderConnector, TwinConnectResult } from './types.js';
import { connectAws } from './aws.js';
import { connectAzure } from './azure.js';
import { connectGcp } from './gcp.js';
import { cloudsYamlPath, connectOpenStack } from './openstack.js';

export type { ProviderConnector, TwinConnection, TwinConnectResult } from './types.js';

/** Providers whose endpoint the twin advertises get connected; a provider without a connector is skipped. */
const CONNECTORS: Record<string, ProviderConnector> = {
  aws: connectAws,
  gcp: connectGcp,
  azure: connectAzure,
  openstack: connectOpenStack,
};

export async function twinConnect(core: Core, drivers: DriverRegistry, stateDir: string): Promise<TwinConnectResult> {
  const info = readTwinInfo(stateDir);
  if (!info) throw new UsageError('Cloud-Twin is not running', { hint: 'start it with: cbadm twin up' });
  const creds = await twinCredentials(stateDir);
  const result: TwinConnectResult = { credentials: [], connections: [] };
  for (const [provider, connector] of Object.entries(CONNECTORS)) {
    if (!info.endpoints[provider] || !drivers.providers().includes(provider as never)) continue;
    result.connections.push(...(await connector.connect(core, drivers, info, creds)));
    result.credentials.push(connector.credential);
    if (provider === 'openstack') result.cloudsYaml = cloudsYamlPath(stateDir);
  }
  return result;
}
