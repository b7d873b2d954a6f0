/**
 * The Compute API clients, on the REST transport (`fallback`), pointed at `connection.endpoint`
 * when one is set (Cloud-Twin, a private endpoint) and at compute.googleapis.com otherwise. Each
 * client is built on first use: a constructor parses the API's protos (tens of milliseconds each,
 * seconds for the first), and most commands need two or three of them.
 */
// First: the clients then load only the protos the driver's services reach (see protos.ts).
import './protos.js';
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

/** The clients by the names the driver uses; each is built on first use. */
const CLIENT_CLASSES = {
  instances: InstancesClient,
  networks: NetworksClient,
  subnetworks: SubnetworksClient,
  firewalls: FirewallsClient,
  images: ImagesClient,
  machineTypes: MachineTypesClient,
  regions: RegionsClient,
  zoneOperations: ZoneOperationsClient,
  regionOperations: RegionOperationsClient,
  globalOperations: GlobalOperationsClient,
};

export type ComputeClients = { readonly [K in keyof typeof CLIENT_CLASSES]: InstanceType<(typeof CLIENT_CLASSES)[K]> } & {
  close(): void;
};

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
  const clients = {} as Record<keyof typeof CLIENT_CLASSES, Closable>;
  for (const [name, Client] of Object.entries(CLIENT_CLASSES) as Array<[keyof typeof CLIENT_CLASSES, new (o: ComputeClientOptions) => Closable]>) {
    let c: Closable | undefined;
    Object.defineProperty(clients, name, {
      enumerable: true,
      get: () => {
        if (!c) {
          c = new Client(options());
          made.push(c);
        }
        return c;
      },
    });
  }
  return Object.assign(clients as unknown as Omit<ComputeClients, 'close'>, {
    close() {
      // REST clients hold no sockets of their own (keep-alive agents are shared); closing marks them done.
      for (const c of made.splice(0)) void c.close().catch(() => {});
    },
  });
}
