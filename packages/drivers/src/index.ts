/**
 * The lazy driver registry. Nothing here imports a cloud SDK: each entry loads its driver module
 * (and with it the SDK) only when asked, so a CLI run pays only for the cloud it uses.
 */
import type { DriverFactory, DriverOptions, DriverRegistry } from '@cloud-barista/core/driver/port';
import type { Provider } from '@cloud-barista/core/model';
// Subpath import: the registry is on every CLI start, the full core index is not needed here.
import { UsageError } from '@cloud-barista/core/errors';

type Loader = () => Promise<DriverFactory>;

const loaders: Partial<Record<Provider, Loader>> = {
  aws: () => import('./aws/index.js').then((m) => m.createAwsDriver),
  // Prices come from the Cloud Billing Catalog API (pricing/gcp-billing.ts), loaded with the driver.
  gcp: () => Promise.all([import('./gcp/index.js'), import('./pricing/gcp-billing.js')]).then(([m, p]) => p.withGcpPrices(m.createGcpDriver)),
  // Prices come from the Azure Retail Prices API (pricing/azure-retail.ts), loaded with the driver.
  azure: () => Promise.all([import('./azure/index.js'), import('./pricing/azure-retail.js')]).then(([m, p]) => p.withAzurePrices(m.createAzureDriver)),
  // Prices come from ECS's own DescribePrice, in the driver.
  alibaba: () => import('./alibaba/index.js').then((m) => m.createAlibabaDriver),
  // No pricing API in OpenStack: prices come from the connection's --price-file, if any.
  openstack: () => import('./openstack/index.js').then((m) => m.createOpenStackDriver),
  // Containers on a Docker host (or Podman's compatible socket); prices only from a --price-file.
  docker: () => import('./docker/index.js').then((m) => m.createDockerDriver),
  // No pricing API in Cloudit either: prices come from the connection's --price-file, if any.
  cloudit: () => import('./cloudit/index.js').then((m) => m.createClouditDriver),
};

/**
 * Providers whose driver brings its own exec transport (CloudDriver.exec) instead of SSH: the core
 * loads their driver to run a command on their VMs. Docker: containers are entered by the Engine
 * API's exec.
 */
const ownExecTransport: ReadonlySet<string> = new Set<Provider>(['docker']);

export const driverRegistry: DriverRegistry = {
  async load(provider: Provider): Promise<DriverFactory> {
    const loader = loaders[provider];
    if (!loader) {
      throw new UsageError(`no driver for provider '${provider}' yet`, {
        hint: `available drivers: ${Object.keys(loaders).join(', ')}`,
      });
    }
    return loader();
  },
  providers(): Provider[] {
    return Object.keys(loaders) as Provider[];
  },
  ownsExecTransport: (provider) => ownExecTransport.has(provider),
};

/** `registry` whose drivers get `defaults` (e.g. the throttling deadline) unless a caller sets them. */
export function withDriverDefaults(registry: DriverRegistry, defaults: Partial<Omit<DriverOptions, 'connection' | 'credentials'>>): DriverRegistry {
  return {
    async load(provider) {
      const factory = await registry.load(provider);
      return (opts) => factory({ ...defaults, ...opts });
    },
    providers: () => registry.providers(),
    ...(registry.ownsExecTransport ? { ownsExecTransport: registry.ownsExecTransport.bind(registry) } : {}),
  };
}
