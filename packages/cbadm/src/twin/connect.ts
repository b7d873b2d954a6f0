/**
 * `cbadm twin connect`: one connection per twin region, for every provider the running twin
 * serves. Each provider registers its connections in its own module (aws.ts, …), through the same
 * services a user's `connection add` goes through.
 */
import type { Core, DriverRegistry } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { readTwinInfo, twinCredentials } from './control.js';
import type { ProviderConnector, TwinConnectResult } from './types.js';
import { connectAlibaba } from './alibaba.js';
import { connectAws } from './aws.js';
import { connectAzure } from './azure.js';
import { connectCloudit } from './cloudit.js';
import { connectGcp } from './gcp.js';
import { connectDocker } from './docker.js';
import { cloudsYamlPath, connectOpenStack } from './openstack.js';

export type { ProviderConnector, TwinConnection, TwinConnectResult } from './types.js';

/** Providers whose endpoint the twin advertises get connected; a provider without a connector is skipped. */
const CONNECTORS: Record<string, ProviderConnector> = {
  aws: connectAws,
  gcp: connectGcp,
  azure: connectAzure,
  alibaba: connectAlibaba,
  openstack: connectOpenStack,
  docker: connectDocker,
  cloudit: connectCloudit,
};

export async function twinConnect(core: Core, drivers: DriverRegistry, stateDir: string): Promise<TwinConnectResult> {
  const info = readTwinInfo(stateDir);
  if (!info) throw new UsageError('Cloud-Twin is not running', { hint: 'start it with: cbadm twin up' });
  const creds = await twinCredentials(stateDir);
  const result: TwinConnectResult = { credentials: [], connections: [] };
  for (const [provider, connector] of Object.entries(CONNECTORS)) {
    if (!info.endpoints[provider] || !drivers.providers().includes(provider as never)) continue;
    result.connections.push(...(await connector.connect(core, drivers, info, creds)));
    // Docker's socket needs no stored credential.
    if (connector.credential) result.credentials.push(connector.credential);
    if (provider === 'openstack') result.cloudsYaml = cloudsYamlPath(stateDir);
  }
  return result;
}

/**
 * After `twin up`: the twin connections (label twin=true) whose endpoint is not one the running twin
 * serves (a port it could not take back was taken by another program) are registered again, so
 * they keep working. None stale, or no twin connections at all: nothing is touched.
 */
export async function refreshStaleTwinConnections(core: Core, drivers: DriverRegistry, stateDir: string): Promise<string[]> {
  const info = readTwinInfo(stateDir);
  if (!info) return [];
  // Compared by origin: a provider's connection may name a path under the twin's listener.
  const origin = (url: string) => (URL.canParse(url) ? new URL(url).origin : url);
  const served = new Set(Object.values(info.endpoints).map(origin));
  const stale = core.connections.list().filter((c) => c.labels.twin === 'true' && c.endpoint !== undefined && !served.has(origin(c.endpoint)));
  if (!stale.length) return [];
  await twinConnect(core, drivers, stateDir);
  return stale.map((c) => c.name);
}
