/**
 * Twin connections for Cloudit: the twin's IAM user stored as a cloudit-password credential (the
 * identity endpoint is the twin's), and one connection per cluster the Cloudit driver lists
 * (`twin-cloudit-<cluster>`): a Cloudit connection's region is a cluster.
 */
import { regionConnector } from './regions.js';

export const connectCloudit = regionConnector({
  provider: 'cloudit',
  probeRegion: 'kr-seoul-1',
  credential: ({ cloudit }, endpoint) => ({ kind: 'cloudit-password', identityEndpoint: endpoint, username: cloudit.id, password: cloudit.password, tenantId: cloudit.tenantId }),
  compared: ['identityEndpoint', 'username', 'password', 'tenantId'],
});
