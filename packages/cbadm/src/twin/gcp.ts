/**
 * Twin connections for GCP: regions discovered through the GCP driver (`regions.list`), each a
 * connection to the twin's GCE endpoint with the region's first zone. The stored credential is a
 * service-account key like the console hands out, with a fresh private key and `token_uri` set to
 * the twin's OAuth token endpoint: the driver signs a JWT and exchanges it there, as with Google.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Core } from '@cloud-barista/core';
import type { ProviderConnector } from './connect.js';
import { connectRegions } from './regions.js';
import type { TwinInfo } from './control.js';

const CREDENTIAL = 'twin-gcp';
/** The twin makes any well-formed project on first use; one fixed id holds every twin connection. */
export const TWIN_PROJECT = 'cb-twin-project';

function tokenUri(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/token`;
}

function twinKeyJson(endpoint: string): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return JSON.stringify({
    type: 'service_account',
    project_id: TWIN_PROJECT,
    private_key_id: 'cloud-twin',
    private_key: privateKey,
    client_email: `cloud-barista@${TWIN_PROJECT}.iam.gserviceaccount.com`,
    client_id: '100000000000000000001',
    token_uri: tokenUri(endpoint),
  });
}

/** Stores the twin credential, again when the twin moved to another port since. */
async function ensureCredential(core: Core, endpoint: string): Promise<void> {
  if (core.store.getCredential(CREDENTIAL)) {
    const m = core.credentials.material(CREDENTIAL);
    if (m.kind === 'gcp-service-account' && (JSON.parse(m.keyJson) as { token_uri?: string }).token_uri === tokenUri(endpoint)) return;
  }
  await core.credentials.add({ name: CREDENTIAL, provider: 'gcp', kind: 'gcp-service-account', keyJson: twinKeyJson(endpoint), replace: true });
}

export const connectGcp: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin: TwinInfo) {
    const endpoint = twin.endpoints.gcp;
    if (!endpoint) return [];
    await ensureCredential(core, endpoint);
    const gcp = { project: TWIN_PROJECT, ...(endpoint.startsWith('https:') && twin.caFile ? { caFile: twin.caFile } : {}) };
    return connectRegions(core, drivers, twin, { provider: 'gcp', credential: CREDENTIAL, endpoint, probeRegion: 'us-central1', extra: gcp });
  },
};
