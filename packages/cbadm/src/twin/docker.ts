/**
 * The twin connection for Docker: `twin-docker`, pointed at the twin's Engine socket
 * (`unix://<twin state>/docker.sock`, as DOCKER_HOST would name it), its region the daemon's host
 * name as the driver reads it from /info. Docker takes no credential: the socket is the access.
 */
import type { ProviderConnector } from './types.js';

export const TWIN_DOCKER = 'twin-docker';

export const connectDocker: ProviderConnector = {
  credential: '',
  async connect(core, drivers, twin) {
    const endpoint = twin.endpoints.docker;
    if (!endpoint) return [];
    const factory = await drivers.load('docker');
    const base = { provider: 'docker' as const, endpoint, sshPort: twin.sshPort, labels: {}, createdAt: new Date().toISOString() };
    const probe = factory({ connection: { ...base, name: `${TWIN_DOCKER}-probe`, region: 'probe' }, credentials: { kind: 'default-chain' } });
    try {
      const [region] = await probe.catalog.listRegions();
      if (!region) return [];
      const c = await core.connections.add({ name: TWIN_DOCKER, provider: 'docker', region: region.name, zone: region.zones[0] ?? region.name, endpoint, sshPort: twin.sshPort, labels: { twin: 'true' }, replace: true });
      return [{ name: c.name, provider: 'docker', region: c.region, ...(c.zone ? { zone: c.zone } : {}), endpoint }];
    } finally {
      probe.close();
    }
  },
};
