/**
 * Twin connections for Cloudit: the twin's IAM user stored as a cloudit-password credential (the
 * identity endpoint is the twin's), and one connection per cluster the Cloudit driver lists
 * (`twin-cloudit-<cluster>`): a Cloudit connection's region is a cluster.
 */
import { connectRegions, keepTwinCredential } from './regions.js';
import type { ProviderConnector } from './types.js';

const CREDENTIAL = 'twin-cloudit';

export const connectCloudit: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { cloudit }) {
    const endpoint = twin.endpoints.cloudit;
    if (!endpoint) return [];
    const login = { identityEndpoint: endpoint, username: cloudit.id, password: cloudit.password, tenantId: cloudit.tenantId };
    await keepTwinCredential(core, { name: CREDENTIAL, provider: 'cloudit', kind: 'cloudit-password', ...login }, ['identityEndpoint', 'username', 'password', 'tenantId']);
    return connectRegions(core, drivers, twin, { provider: 'cloudit', credential: CREDENTIAL, endpoint, probeRegion: 'kr-seoul-1' });
  },
};
