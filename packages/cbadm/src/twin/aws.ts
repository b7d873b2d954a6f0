/** Twin connections for AWS: regions discovered through the AWS driver's DescribeRegions. */
import type { ProviderConnector } from './types.js';
import { connectRegions, keepTwinCredential } from './regions.js';

/** The twin's own key (derived from its secret), stored like any credential so the driver path is the real one. */
const CREDENTIAL = 'twin-aws';

export const connectAws: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { aws }) {
    const endpoint = twin.endpoints.aws;
    await keepTwinCredential(core, { name: CREDENTIAL, provider: 'aws', kind: 'aws-keys', accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey }, ['accessKeyId', 'secretAccessKey']);
    return connectRegions(core, drivers, twin, { provider: 'aws', credential: CREDENTIAL, endpoint, probeRegion: 'us-east-1' });
  },
};
