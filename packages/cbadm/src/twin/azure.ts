/**
 * Twin connections for Azure: regions discovered through the Azure driver (the Compute provider's
 * locations), each a connection to the twin's HTTPS ARM endpoint that trusts the twin's CA.
 */
import type { ProviderConnector } from './types.js';
import { connectRegions, keepTwinCredential } from './regions.js';

/** The twin's service principal (derived from its secret), stored like any credential so the driver path is the real one. */
const CREDENTIAL = 'twin-azure';
/** Any GUID is a subscription to the twin; one fixed id keeps every twin connection in one. */
export const TWIN_SUBSCRIPTION = '00000000-0000-4000-8000-00000000cb01';

export const connectAzure: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { azure: sp }) {
    const endpoint = twin.endpoints.azure;
    const caFile = twin.caFile;
    // A twin too old to serve HTTPS has no CA: nothing to connect to.
    if (!endpoint || !caFile) return [];
    await keepTwinCredential(core, { name: CREDENTIAL, provider: 'azure', kind: 'azure-client-secret', ...sp }, ['tenantId', 'clientId', 'clientSecret']);
    // The identity endpoints live on the same HTTPS listener as ARM.
    const azure = { caFile, authEndpoint: endpoint, subscription: TWIN_SUBSCRIPTION };
    return connectRegions(core, drivers, twin, { provider: 'azure', credential: CREDENTIAL, endpoint, probeRegion: 'koreacentral', extra: azure });
  },
};
