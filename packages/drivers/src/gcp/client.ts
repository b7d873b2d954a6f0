/**
 * The Compute API clients, on the REST transport (`fallback`), pointed at `connection.endpoint`
 * when one is set (Cloud-Twin, a private endpoint) and at compute.googleapis.com otherwise. Each
 * client is built on first use: a constructor parses the API's protos (tens of milliseconds each,
 * seconds for the first), and most commands need two or three of them.
 */
// The v1 entry point alone: the package index also loads the v1beta and v1small surfaces (~2 s).
import {
  FirewallsClient,
  GlobalOperationsClient,
  ImagesClient,
  InstancesClient,
  MachineTypesClient,
  NetworksClient,
  RegionOperationsClient,
  RegionsClient,
  SubnetworksClient,
  ZoneOperationsClient,
} from '@google-cloud/compute/build/src/v1/index.js';
import type { Connection } from '@cloud-barista/core/model';
import type { GcpAuth } from './auth.js';

export interface ComputeClients {
  readonly instances: InstancesClient;
  readonly networks: NetworksClient;
  readonly subnetworks: SubnetworksClient;
  readonly firewalls: FirewallsClient;
  readonly images: ImagesClient;
  readonly machineTypes: MachineTypesClient;
  readonly regions: RegionsClient;
  readonly zoneOperations: ZoneOperationsClient;
  readonly regionOperations: RegionOperationsClient;
  readonly globalOperations: GlobalOperationsClient;
  close(): void;
}

type ComputeClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

/** Extra client options, e.g. for tests; never endpoint-specific behaviour. */
export type ClientOverrides = Partial<ComputeClientOptions>;

interface Closable {
  close(): Promise<void>;
}

/** `apiEndpoint` / `port` / `protocol` for an endpoint URL such as `http://127.0.0.1:4566`. */
export function endpointOptions(endpoint: string | undefined): Pick<ComputeClientOptions, 'apiEndpoint' | 'port' | 'protocol'> {
  if (!endpoint) return {};
  const u = new URL(endpoint);
  const protocol = u.protocol.replace(/:$/, '');
  return {
    apiEndpoint: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : protocol === 'https' ? 443 : 80,
    protocol,
  };
}

export function computeClients(connection: Connection, auth: GcpAuth, overrides: ClientOverrides = {}): ComputeClients {
  const made: Closable[] = [];
  // A fresh object per client: constructors write into their options.
  const options = (): ComputeClientOptions => ({ fallback: true, ...auth.clientOptions, ...endpointOptions(connection.endpoint), ...overrides });
  function lazy<T extends Closable>(make: (opts: ComputeClientOptions) => T): () => T {
    let c: T | undefined;
    return () => {
      if (!c) {
        c = make(options());
        made.push(c);
      }
      return c;
    };
  }
  const instances = lazy((o) => new InstancesClient(o));
  const networks = lazy((o) => new NetworksClient(o));
  const subnetworks = lazy((o) => new SubnetworksClient(o));
  const firewalls = lazy((o) => new FirewallsClient(o));
  const images = lazy((o) => new ImagesClient(o));
  const machineTypes = lazy((o) => new MachineTypesClient(o));
  const regions = lazy((o) => new RegionsClient(o));
  const zoneOperations = lazy((o) => new ZoneOperationsClient(o));
  const regionOperations = lazy((o) => new RegionOperationsClient(o));
  const globalOperations = lazy((o) => new GlobalOperationsClient(o));
  return {
    get instances() {
      return instances();
    },
    get networks() {
      return networks();
    },
    get subnetworks() {
      return subnetworks();
    },
    get firewalls() {
      return firewalls();
    },
    get images() {
      return images();
    },
    get machineTypes() {
      return machineTypes();
    },
    get regions() {
      return regions();
    },
    get zoneOperations() {
      return zoneOperations();
    },
    get regionOperations() {
      return regionOperations();
    },
    get globalOperations() {
      return globalOperations();
    },
    close() {
      // REST clients hold no sockets of their own (keep-alive agents are shared); closing marks them done.
      for (const c of made.splice(0)) void c.close().catch(() => {});
    },
  };
}
