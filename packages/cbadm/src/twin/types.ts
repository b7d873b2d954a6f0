/**
 * The types `twin connect` and its per-cloud connectors share, in their own module so a connector
 * (aws.ts, gcp.ts, azure.ts) does not import connect.ts, which imports the connectors.
 */
import type { Core, DriverRegistry } from '@cloud-barista/core';
import type { TwinCredentials } from '@cloud-barista/twin/credentials';
import type { TwinInfo } from './control.js';

export interface TwinConnection {
  name: string;
  provider: string;
  region: string;
  zone?: string;
  endpoint: string;
}

export interface TwinConnectResult {
  credentials: string[];
  connections: TwinConnection[];
  /** The clouds.yaml (cloud `cb-twin`) written for the twin's OpenStack, for the `openstack` client. */
  cloudsYaml?: string;
}

export interface ProviderConnector {
  /** The stored credential it writes; empty for a provider that takes none (Docker's socket). */
  credential: string;
  /** `creds`: what the running twin accepts, from its state dir; a stored credential that differs is replaced. */
  connect(core: Core, drivers: DriverRegistry, twin: TwinInfo, creds: TwinCredentials): Promise<TwinConnection[]>;
}
