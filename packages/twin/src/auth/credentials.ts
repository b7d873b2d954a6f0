/**
 * The twin's secret and the credentials derived from it. On first start the twin writes
 * `<stateDir>/twin-secret.json` (0600): 32 random bytes, and the RSA key of the twin's GCP service
 * account (Node cannot derive an RSA key from a seed, so it is generated once and kept beside the
 * seed). Everything else is an HMAC of the seed under a fixed label: the same state dir always
 * yields the same AWS keys, Alibaba AccessKey, Azure service principal, OpenStack and Cloudit users, admin token and token-signing keys, so
 * `cbadm twin connect` can compute what the twin will accept from the file alone.
 *
 * This module is loaded by the CLI as `@cloud-barista/twin/credentials`: node built-ins only.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_FILE = 'twin-secret.json';

export interface TwinCredentials {
  aws: { accessKeyId: string; secretAccessKey: string };
  /** The service account whose key signs the JWT assertions the twin's `/token` endpoint verifies. */
  gcp: { clientEmail: string; clientId: string; privateKeyId: string; privateKey: string; publicKey: string };
  /** A service principal: the twin's identity endpoint issues tokens for it alone. */
  azure: { tenantId: string; clientId: string; clientSecret: string };
  /** A RAM AccessKey pair: the ECS API verifies request signatures against it. */
  alibaba: { accessKeyId: string; accessKeySecret: string };
  /**
   * The twin's Keystone user and project (both in the `Default` domain), and an application
   * credential of that user scoped to the project: what a clouds.yaml or openrc names.
   */
  openstack: OpenStackCredentials;
  /** The Cloudit IAM user (id and password) and its tenant: what the IAM token request names. */
  cloudit: ClouditCredentials;
  /** `Authorization: Bearer <admin>` on the admin API (`/_twin/*`). */
  admin: string;
}

export interface OpenStackCredentials {
  userId: string;
  username: string;
  password: string;
  projectId: string;
  projectName: string;
  domain: string;
  applicationCredentialId: string;
  applicationCredentialSecret: string;
}

export interface ClouditCredentials {
  id: string;
  password: string;
  tenantId: string;
}

/** Keys the twin signs and verifies with; never handed to clients. */
export interface TwinKeys {
  gceToken: Buffer;
  azureToken: Buffer;
  openstackToken: Buffer;
  clouditToken: Buffer;
  nodeToken: (instanceId: string) => string;
}

interface SecretFile {
  version: 1;
  secret: string;
  gcpPrivateKey: string;
}

function label(seed: Buffer, what: string): Buffer {
  return createHmac('sha256', seed).update(`cloud-twin:${what}`).digest();
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += BASE32[(bytes[i % bytes.length] ?? 0) % 32];
  return out;
}

function guid(bytes: Buffer): string {
  const h = Buffer.from(bytes.subarray(0, 16));
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function parse(file: string, text: string): SecretFile {
  let v: Partial<SecretFile>;
  try {
    v = JSON.parse(text) as Partial<SecretFile>;
  } catch {
    // The file is a secret: its content stays out of the message.
    throw new Error(`${file} is damaged (not JSON); remove it and restart the twin to get new credentials`);
  }
  if (v.version !== 1 || typeof v.secret !== 'string' || Buffer.from(v.secret, 'base64').length < 32 || typeof v.gcpPrivateKey !== 'string') {
    throw new Error(`${file} is not a Cloud-Twin secret file of version 1; remove it and restart the twin to get new credentials`);
  }
  return v as SecretFile;
}

function derive(file: SecretFile): { credentials: TwinCredentials; keys: TwinKeys } {
  const seed = Buffer.from(file.secret, 'base64');
  const publicKey = createPublicKey(file.gcpPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
  const nodeKey = label(seed, 'k8s-node-token');
  return {
    credentials: {
      aws: {
        accessKeyId: `AKIA${base32(label(seed, 'aws-access-key-id'), 16)}`,
        secretAccessKey: label(seed, 'aws-secret-access-key').toString('base64').slice(0, 40),
      },
      gcp: {
        clientEmail: 'cloud-twin@cb-twin-project.iam.gserviceaccount.com',
        clientId: BigInt(`0x${label(seed, 'gcp-client-id').toString('hex').slice(0, 15)}`).toString().padStart(21, '1'),
        privateKeyId: label(seed, 'gcp-private-key-id').toString('hex').slice(0, 40),
        privateKey: file.gcpPrivateKey,
        publicKey,
      },
      azure: {
        tenantId: guid(label(seed, 'azure-tenant-id')),
        clientId: guid(label(seed, 'azure-client-id')),
        clientSecret: label(seed, 'azure-client-secret').toString('base64url').slice(0, 40),
      },
      alibaba: {
        accessKeyId: `LTAI5t${label(seed, 'alibaba-access-key-id').toString('base64url').replace(/[-_]/g, 'x').slice(0, 18)}`,
        accessKeySecret: label(seed, 'alibaba-access-key-secret').toString('base64url').replace(/[-_]/g, 'y').slice(0, 30),
      },
      openstack: {
        userId: label(seed, 'openstack-user-id').toString('hex').slice(0, 32),
        username: 'cb-twin',
        password: label(seed, 'openstack-password').toString('base64url').slice(0, 32),
        projectId: label(seed, 'openstack-project-id').toString('hex').slice(0, 32),
        projectName: 'cb-twin',
        domain: 'Default',
        applicationCredentialId: label(seed, 'openstack-app-cred-id').toString('hex').slice(0, 32),
        applicationCredentialSecret: label(seed, 'openstack-app-cred-secret').toString('base64url').slice(0, 43),
      },
      cloudit: {
        id: 'cb-twin',
        password: label(seed, 'cloudit-password').toString('base64url').slice(0, 24),
        tenantId: `tnt-${label(seed, 'cloudit-tenant').toString('hex').slice(0, 12)}`,
      },
      admin: label(seed, 'admin-token').toString('base64url'),
    },
    keys: {
      gceToken: label(seed, 'gce-token-key'),
      azureToken: label(seed, 'azure-token-key'),
      openstackToken: label(seed, 'openstack-token-key'),
      clouditToken: label(seed, 'cloudit-token-key'),
      nodeToken: (instanceId) => `${instanceId}.${createHmac('sha256', nodeKey).update(instanceId).digest('base64url')}`,
    },
  };
}

function readSecretFile(stateDir: string): SecretFile | undefined {
  const file = join(stateDir, SECRET_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users; run: chmod 600 ${file} (or remove it to get new credentials)`);
  }
  return parse(file, text);
}

/**
 * The twin's credentials and signing keys, creating the secret file on first use. Two processes
 * starting at once agree: the file is created exclusively and the loser reads the winner's.
 */
export function loadOrCreateSecret(stateDir: string): { credentials: TwinCredentials; keys: TwinKeys } {
  chmodSync(stateDir, 0o700);
  const existing = readSecretFile(stateDir);
  if (existing) return derive(existing);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const fresh: SecretFile = { version: 1, secret: randomBytes(32).toString('base64'), gcpPrivateKey: privateKey };
  try {
    writeFileSync(join(stateDir, SECRET_FILE), `${JSON.stringify(fresh)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return derive(readSecretFile(stateDir) ?? fresh);
  }
  return derive(fresh);
}

/** The credentials of the twin whose state dir this is, or undefined if it never started. */
export function readTwinCredentials(stateDir: string): TwinCredentials | undefined {
  const file = readSecretFile(stateDir);
  return file ? derive(file).credentials : undefined;
}

/**
 * A service-account key file (the JSON Google's console hands out) for the twin's account, whose
 * `token_uri` is the twin's token endpoint.
 */
export function gcpServiceAccountKey(c: TwinCredentials, o: { tokenUri: string; projectId: string }): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: o.projectId,
    private_key_id: c.gcp.privateKeyId,
    private_key: c.gcp.privateKey,
    client_email: c.gcp.clientEmail,
    client_id: c.gcp.clientId,
    token_uri: o.tokenUri,
  });
}
