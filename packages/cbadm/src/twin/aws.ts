/** Twin connections for AWS: regions discovered through the AWS driver's DescribeRegions. */
import type { ProviderConnector } from './types.js';
import { connectRegions } from './regions.js';

/** The twin's own key (derived from its secret), stored like any credential so the driver path is the real one. */
const CREDENTIAL = 'twin-aws';

export const connectAws: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { aws }) {
    const endpoint = twin.endpoints.aws;
    const stored = core.store.getCredential(CREDENTIAL) ? core.credentials.material(CREDENTIAL) : undefined;
    // A twin whose state dir was made anew has a new key: the stored one is replaced.
    if (stored?.kind !== 'aws-keys' || stored.accessKeyId !== aws.accessKeyId || stored.secretAccessKey !== aws.secretAccessKey) {
      await core.credentials.add({ name: CREDENTIAL, provider: 'aws', kind: 'aws-keys', accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey, replace: true });
    }
    return connectRegions(core, drivers, twin, { provider: 'aws', credential: CREDENTIAL, endpoint, probeRegion: 'us-east-1' });
  },
};
