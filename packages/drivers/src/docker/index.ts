/**
 * The Docker driver: the core's driver port on the Docker Engine API through dockerode. An MCIS VM
 * is a long-running container on a Docker host (local socket, tcp:// with TLS, ssh://, or a Docker
 * context); the same code talks to Docker, Podman's compatible socket and Cloud-Twin.
 */
import type { CloudDriver, DriverCapabilities, DriverFactory, DriverOptions } from '@cloud-barista/core/driver/port';
import { createCatalog } from './catalog.js';
import { DockerClient } from './client.js';
import { DockerExecTransport } from './exec.js';
import { createVms } from './instances.js';
import { createKeyPairs } from './keys.js';
import { createNetwork } from './network.js';

export const DOCKER_CAPABILITIES: DriverCapabilities = {
  unsupported: {},
  suspendMethod: 'docker stop (the container\'s processes end, its file system stays; resume is docker start)',
  // The container name is derived from the client token and adopted when it exists.
  idempotentCreate: true,
};

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
    ...(internals.env ? { env: internals.env } : {}),
    maxAttempts: opts.maxAttempts,
    throttleWaitMs: opts.throttleWaitMs,
    ...(internals.minDelayMs !== undefined ? { minDelayMs: internals.minDelayMs } : {}),
  });
  return {
    provider: 'docker',
    capabilities: DOCKER_CAPABILITIES,
    catalog: createCatalog(client, opts.connection),
    network: createNetwork(client),
    keys: createKeyPairs(),
    vms: createVms(client, { parallelism: internals.parallelism ?? 8 }),
    async ping() {
      const started = performance.now();
      const info = await client.hostInfo();
      await client.call((d) => d.ping());
      return { account: client.endpoint.host, region: info.Name, latencyMs: Math.round(performance.now() - started) };
    },
    exec: new DockerExecTransport(client, opts.connection),
    close() {},
  };
}

export const createDockerDriver: DriverFactory = (opts) => buildDockerDriver(opts);

export { toVmStatus, nativeStateOf, STATE_TO_VM } from './states.js';
export { IMAGE_ALIASES, sizesFor, parseSpec } from './catalog.js';
export { resolveEndpoint, modemOptions } from './endpoint.js';
export { DockerExecTransport, demultiplex } from './exec.js';
