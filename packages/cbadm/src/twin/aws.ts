/**
 * Twin connections for AWS: regions discovered through the AWS driver's DescribeRegions. The
 * credential is the twin's own key (derived from its secret), stored like any credential so the
 * driver path is the real one.
 */
import { regionConnector } from './regions.js';

export const connectAws = regionConnector({
  provider: 'aws',
  probeRegion: 'us-east-1',
  credential: ({ aws }) => ({ kind: 'aws-keys', accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey }),
  compared: ['accessKeyId', 'secretAccessKey'],
});
