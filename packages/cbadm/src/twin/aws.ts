/** Twin connections for AWS: regions discovered through the AWS driver's DescribeRegions. */
import type { ProviderConnector } from './connect.js';
import { connectRegions } from './regions.js';

/** The twin accepts any key; it is stored like any credential so the driver path is the real one. */
const CREDENTIAL = 'twin-aws';
const ACCESS_KEY_ID = 'AKIATWIN0000EXAMPLE0';

export const connectAws: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin) {
    const endpoint = twin.endpoints.aws;
    if (!core.store.getCredential(CREDENTIAL)) {
      await core.credentials.add({ name: CREDENTIAL, provider: 'aws', kind: 'aws-keys', accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'twin-secret-not-a-real-key', replace: true });
    }
    return connectRegions(core, drivers, twin, { provider: 'aws', credential: CREDENTIAL, endpoint, probeRegion: 'us-east-1' });
  },
};
