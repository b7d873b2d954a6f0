/**
 * Twin connections for GCP: regions discovered through the GCP driver (`regions.list`), each a
 * connection to the twin's GCE endpoint with the region's first zone. The stored credential is the
 * twin's service-account key (from its state dir), shaped like the console hands it out, with
 * `token_uri` set to the twin's OAuth token endpoint: the driver signs a JWT and exchanges it there,
 * and the twin verifies it with the account's public key, as Google does.
 */
import type { Core } from '@cloud-barista/core';
import type { ProviderConnector } from './types.js';
import { connectRegions } from './regions.js';
import type { TwinCredentials } from '@cloud-barista/twin/credentials';
import { twinCredentialKit, type TwinInfo } from './control.js';

const CREDENTIAL = 'twin-gcp';
/** The twin makes any well-formed project on first use; one fixed id holds every twin connection. */
export const TWIN_PROJECT = 'cb-twin-project';

function tokenUri(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/token`;
}

/** Stores the twin's service-account key, again when the twin moved to another port or has a new key. */
async function ensureCredential(core: Core, endpoint: string, creds: TwinCredentials): Promise<void> {
  const { gcpServiceAccountKey } = await twinCredentialKit();
  const keyJson = gcpServiceAccountKey(creds, { tokenUri: tokenUri(endpoint), projectId: TWIN_PROJECT });
  if (core.store.getCredential(CREDENTIAL)) {
    const m = core.credentials.material(CREDENTIAL);
    if (m.kind === 'gcp-service-account' && m.keyJson === keyJson) return;
  }
  await core.credentials.add({ name: CREDENTIAL, provider: 'gcp', kind: 'gcp-service-account', keyJson, replace: true });
}

export const connectGcp: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin: TwinInfo, creds) {
    const endpoint = twin.endpoints.gcp;
    if (!endpoint) return [];
    await ensureCredential(core, endpoint, creds);
    const gcp = { project: TWIN_PROJECT, ...(endpoint.startsWith('https:') && twin.caFile ? { caFile: twin.caFile } : {}) };
    return connectRegions(core, drivers, twin, { provider: 'gcp', credential: CREDENTIAL, endpoint, probeRegion: 'us-central1', extra: gcp });
  },
};
