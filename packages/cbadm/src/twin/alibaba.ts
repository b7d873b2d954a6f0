/**
 * Twin connections for Alibaba Cloud: regions discovered through the Alibaba driver
 * (DescribeRegions / DescribeZones), each a connection to the twin's ECS endpoint with the region's
 * first zone. The stored credential is the twin's AccessKey (derived from its secret), stored like
 * any AccessKey so the driver path is the real one.
 */
import { regionConnector } from './regions.js';

export const connectAlibaba = regionConnector({
  provider: 'alibaba',
  probeRegion: 'cn-hangzhou',
  credential: ({ alibaba }) => ({ kind: 'alibaba-access-key', accessKeyId: alibaba.accessKeyId, accessKeySecret: alibaba.accessKeySecret }),
  compared: ['accessKeyId', 'accessKeySecret'],
});
