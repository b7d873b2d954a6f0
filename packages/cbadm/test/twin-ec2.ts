/**
 * Reads the twin's EC2 API directly (as AWS users would with aws-cli) to check what really exists,
 * with the twin's own key; and its admin API with its admin token. Both from its state dir.
 */
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeVpcsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { readTwinCredentials, type TwinCredentials } from '@cloud-barista/twin/credentials';

/** A running twin: its EC2 endpoint and its state dir (`$CB_HOME/twin`). */
export interface TwinRef {
  endpoint: string;
  stateDir: string;
}

export function twinCreds(stateDir: string): TwinCredentials {
  const c = readTwinCredentials(stateDir);
  if (!c) throw new Error(`no twin secret in ${stateDir}`);
  return c;
}

export function ec2(twin: TwinRef, region: string): EC2Client {
  return new EC2Client({ endpoint: twin.endpoint, region, credentials: twinCreds(twin.stateDir).aws });
}

/** `GET|PUT|POST <adminUrl><path>` with the twin's admin token. */
export function twinAdminFetch(stateDir: string, adminUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${adminUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${twinCreds(stateDir).admin}` } });
}

export async function instancesTagged(twin: TwinRef, region: string, tags: Record<string, string>): Promise<Instance[]> {
  const client = ec2(twin, region);
  const out: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const r = await client.send(
      new DescribeInstancesCommand({ Filters: Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })), MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const res of r.Reservations ?? []) out.push(...(res.Instances ?? []));
    NextToken = r.NextToken;
  } while (NextToken);
  client.destroy();
  return out;
}

export async function managedVpcs(twin: TwinRef, region: string): Promise<number> {
  const client = ec2(twin, region);
  const r = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
  client.destroy();
  return r.Vpcs?.length ?? 0;
}

export async function managedKeyPairs(twin: TwinRef, region: string): Promise<number> {
  const client = ec2(twin, region);
  const r = await client.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
  client.destroy();
  return r.KeyPairs?.length ?? 0;
}

/** An access token from the twin's GCE token endpoint, for its service account (a JWT-bearer grant). */
export async function gceToken(stateDir: string, gcpEndpoint: string): Promise<string> {
  const { gcp } = twinCreds(stateDir);
  const now = Math.floor(Date.now() / 1000);
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid: gcp.privateKeyId })}.${part({ iss: gcp.clientEmail, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: `${gcpEndpoint}/token`, iat: now, exp: now + 3600 })}`;
  const assertion = `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(gcp.privateKey).toString('base64url')}`;
  const res = await fetch(`${gcpEndpoint}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An ARM access token from the twin's identity endpoint, for its service principal. */
export function azureToken(stateDir: string, azureEndpoint: string, caFile: string): Promise<string> {
  const { azure } = twinCreds(stateDir);
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: azure.clientId, client_secret: azure.clientSecret, scope: 'https://management.azure.com/.default' }).toString();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(`/${azure.tenantId}/oauth2/v2.0/token`, azureEndpoint), { method: 'POST', ca: readFileSync(caFile), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve((JSON.parse(text) as { access_token: string }).access_token));
    });
    req.on('error', reject);
    req.end(body);
  });
}
