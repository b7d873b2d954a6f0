/**
 * Twin connections for Alibaba Cloud: regions discovered through the Alibaba driver
 * (DescribeRegions / DescribeZones), each a connection to the twin's ECS endpoint with the region's
 * first zone. The stored credential is the twin's AccessKey (derived from its secret), stored like
 * any AccessKey so the driver path is the real one.
 */
import type { ProviderConnector } from './types.js';
import { connectRegions, keepTwinCredential } from './regions.js';

const CREDENTIAL = 'twin-alibaba';

export const connectAlibaba: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { alibaba }) {
    const endpoint = twin.endpoints.alibaba;
    if (!endpoint) return [];
    const key = { accessKeyId: alibaba.accessKeyId, accessKeySecret: alibaba.accessKeySecret };
    await keepTwinCredential(core, { name: CREDENTIAL, provider: 'alibaba', kind: 'alibaba-access-key', ...key }, ['accessKeyId', 'accessKeySecret']);
    return connectRegions(core, drivers, twin, { provider: 'alibaba', credential: CREDENTIAL, endpoint, probeRegion: 'cn-hangzhou' });
  },
};
