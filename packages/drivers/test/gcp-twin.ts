/** Cloud-Twin set up for the GCP driver's tests: a service-account key whose token_uri is the twin's. */
import type { Connection, CredentialMaterial, Tags } from '@cloud-barista/core';
import { gcpServiceAccountKey, type TwinOptions } from '@cloud-barista/twin';
import { FirewallsClient, NetworksClient, SubnetworksClient } from '@google-cloud/compute/build/src/v1/index.js';
import { JWT } from 'google-auth-library';
import { tagsInDescription } from '../src/gcp/labels.js';
import { startTwinBed, type Twin, type TwinBed } from './twin-bed.js';
import { testConnectionOf } from './connection.js';

export type { Twin };

export const PROJECT = 'cb-twin-project';
export const REGION = 'asia-northeast3';
export const ZONE = 'asia-northeast3-a';

/** The twin's service-account key as Google's console hands it out, with the twin as token server. */
export function twinKey(twin: Twin, project = PROJECT): { json: string; privateKey: string } {
  const json = gcpServiceAccountKey(twin.credentials, { tokenUri: `${twin.endpoints.gcp}/token`, projectId: project });
  return { json, privateKey: twin.credentials.gcp.privateKey };
}

export function gcpConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'twin-gcp', provider: 'gcp', region: REGION, zone: ZONE, endpoint: twin.endpoints.gcp, sshPort: twin.sshPort, ...over });
}

export async function bootTwin(
  sshPort: number,
  over: Partial<TwinOptions> = {},
): Promise<TwinBed> {
  return startTwinBed('cb-drivers-gcp-', { bootDelayMs: 200, stopDelayMs: 100, sshPort, ...over });
}

export function credentialFor(keyJson: string): CredentialMaterial {
  return { kind: 'gcp-service-account', keyJson };
}

/** SDK options for a test's own Compute clients, as the driver builds them. */
export function sdkOptions(twin: Twin, keyJson: string): { authClient: JWT; apiEndpoint: string; port: number; protocol: string; fallback: true } {
  const key = JSON.parse(keyJson) as { client_email: string; private_key: string; token_uri: string };
  const authClient = new JWT({ email: key.client_email, key: key.private_key, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  // The Node library posts to Google's token URL; the key names the twin's.
  authClient.transporter.interceptors.request.add({
    resolved: (config) => {
      if (String(config.url) === 'https://oauth2.googleapis.com/token') config.url = new URL(key.token_uri);
      return Promise.resolve(config);
    },
  });
  const u = new URL(twin.endpoints.gcp);
  return { authClient, apiEndpoint: u.hostname, port: Number(u.port), protocol: 'http', fallback: true };
}

/** Networks, subnetworks and firewall rules whose description carries all of `tags`. */
export async function leftovers(twin: Twin, keyJson: string, tags: Tags): Promise<string[]> {
  const opts = sdkOptions(twin, keyJson);
  const networks = new NetworksClient({ ...opts });
  const subnetworks = new SubnetworksClient({ ...opts });
  const firewalls = new FirewallsClient({ ...opts });
  const mine = (d: string | null | undefined) => {
    const t = tagsInDescription(d);
    return Object.entries(tags).every(([k, v]) => t[k] === v);
  };
  try {
    const [nets] = await networks.list({ project: PROJECT });
    const [subs] = await subnetworks.list({ project: PROJECT, region: REGION });
    const [fws] = await firewalls.list({ project: PROJECT });
    return [
      ...nets.filter((n) => mine(n.description)).map((n) => `network/${n.name ?? ''}`),
      ...subs.filter((s) => mine(s.description)).map((s) => `subnetwork/${s.name ?? ''}`),
      ...fws.filter((f) => mine(f.description)).map((f) => `firewall/${f.name ?? ''}`),
    ];
  } finally {
    await Promise.all([networks.close(), subnetworks.close(), firewalls.close()]);
  }
}
