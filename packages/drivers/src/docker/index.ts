/**
 * The Docker driver: the core's driver port on the Docker Engine API through dockerode. An MCIS VM
 * is a long-running container on a Docker host (local socket, tcp:// with TLS, ssh://, or a Docker
 * context); the same code talks to Docker, Podman's compatible socket and Cloud-Twin.
 */
import type { CloudDriver, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { defined } from '@cloud-barista/core/util/defined';
import { assembleDriver, capabilitiesOf, timed } from '../common/driver.js';
import { createCatalog } from './catalog.js';
import { DockerClient } from './client.js';
import { DockerExecTransport } from './exec.js';
import { createVms } from './instances.js';
import { createNetwork } from './network.js';

// The container name is derived from the client token and adopted when it exists.
export const DOCKER_CAPABILITIES = capabilitiesOf('docker stop (the container\'s processes end, its file system stays; resume is docker start)');

export interface DockerDriver extends CloudDriver {
  /** Containers are entered with the Engine's exec, not SSH. */
  readonly exec: DockerExecTransport;
}

export interface DockerDriverInternals {
  env?: Record<string, string | undefined>;
  parallelism?: number;
  minDelayMs?: number;
}

export function buildDockerDriver(opts: DriverOptions, internals: DockerDriverInternals = {}): DockerDriver {
  const client = new DockerClient({
    connection: opts.connection,
    maxAttempts: opts.maxAttempts,
    throttleWaitMs: opts.throttleWaitMs,
    ...defined({ env: internals.env, minDelayMs: internals.minDelayMs }),
  });
  const driver = assembleDriver(client, {
    provider: 'docker',
    capabilities: DOCKER_CAPABILITIES,
    parts: { catalog: (x) => createCatalog(x, opts.connection), network: createNetwork, vms: (x) => createVms(x, { parallelism: internals.parallelism ?? 8 }) },
    async ping() {
      const { value: info, latencyMs } = await timed(async () => {
        const host = await client.hostInfo();
        await client.call((d) => d.ping());
        return host;
      });
      return { account: client.endpoint.host, region: info.Name, latencyMs };
    },
  });
  return { ...driver, exec: new DockerExecTransport(client, opts.connection) };
}

export const createDockerDriver: DriverFactory = (opts) => buildDockerDriver(opts);

export { toVmStatus, nativeStateOf, STATE_TO_VM } from './states.js';
export { IMAGE_ALIASES, sizesFor, parseSpec } from './catalog.js';
export { resolveEndpoint, modemOptions } from './endpoint.js';
export { DockerExecTransport, demultiplex } from './exec.js';
