/**
 * Twin connections for Cloudit: the twin's IAM user stored as a cloudit-password credential (the
 * identity endpoint is the twin's), and one connection per cluster the Cloudit driver lists
 * (`twin-cloudit-<cluster>`): a Cloudit connection's region is a cluster.
 */
import { connectRegions } from './regions.js';
import type { ProviderConnector } from './types.js';

const CREDENTIAL = 'twin-cloudit';

export const connectCloudit: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { cloudit }) {
    const endpoint = twin.endpoints.cloudit;
    if (!endpoint) return [];
    const stored = core.store.getCredential(CREDENTIAL) ? core.credentials.material(CREDENTIAL) : undefined;
    // A twin whose state dir was made anew has a new password and tenant: the stored one is replaced.
    if (stored?.kind !== 'cloudit-password' || stored.identityEndpoint !== endpoint || stored.username !== cloudit.id || stored.password !== cloudit.password || stored.tenantId !== cloudit.tenantId) {
      await core.credentials.add({ name: CREDENTIAL, provider: 'cloudit', kind: 'cloudit-password', identityEndpoint: endpoint, username: cloudit.id, password: cloudit.password, tenantId: cloudit.tenantId, replace: true });
    }
    return connectRegions(core, drivers, twin, { provider: 'cloudit', credential: CREDENTIAL, endpoint, probeRegion: 'kr-seoul-1' });
  },
};
