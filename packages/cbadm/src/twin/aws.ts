/** Twin connections for AWS: regions discovered through the AWS driver's DescribeRegions. */
import type { ProviderConnector, TwinConnection } from './connect.js';

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
    const factory = await drivers.load('aws');
    const probe = factory({
      connection: { name: 'twin-aws-probe', provider: 'aws', region: 'us-east-1', endpoint, sshPort: twin.sshPort, labels: {}, createdAt: new Date().toISOString() },
      credentials: core.credentials.material(CREDENTIAL),
    });
    try {
      const out: TwinConnection[] = [];
      for (const r of await probe.catalog.listRegions()) {
        const c = await core.connections.add({
          name: `twin-aws-${r.name}`,
          provider: 'aws',
          region: r.name,
          ...(r.zones[0] ? { zone: r.zones[0] } : {}),
          credential: CREDENTIAL,
          endpoint,
          sshPort: twin.sshPort,
          labels: { twin: 'true' },
          replace: true,
        });
        out.push({ name: c.name, provider: 'aws', region: c.region, ...(c.zone ? { zone: c.zone } : {}), endpoint });
      }
      return out;
    } finally {
      probe.close();
    }
  },
};
