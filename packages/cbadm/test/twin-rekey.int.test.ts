/**
 * A twin made anew (its state dir removed: a new secret) refuses the credentials stored for the old
 * one, each cloud with its own auth error; `cbadm twin connect` then replaces all three stored twin
 * credentials and every cloud's connection works again. Both twins listen on the same ports, so
 * the stored connections reach the new twin and only the credentials are stale.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TwinCredentials } from '@cloud-barista/twin/credentials';
import { Cli } from './harness.js';
import { twinCreds } from './twin-ec2.js';
import { freePort } from '../../../test-support/net.js';

const cli = new Cli();
afterAll(() => cli.dispose());

/** One connection per cloud, each in the region `twin connect` probes. */
const CONNECTIONS = { aws: 'twin-aws-us-east-1', gcp: 'twin-gcp-us-central1', azure: 'twin-azure-koreacentral' } as const;

/** The secret material cbadm stored for a credential, read from $CB_HOME as its owner can. */
function stored(name: string): Record<string, string> {
  return JSON.parse(readFileSync(join(cli.home, 'credentials', `${name}.json`), 'utf8')) as Record<string, string>;
}

function expectStoredFor(c: TwinCredentials): void {
  expect(stored('twin-aws')).toMatchObject({ kind: 'aws-keys', ...c.aws });
  expect(stored('twin-azure')).toMatchObject({ kind: 'azure-client-secret', ...c.azure });
  const key = JSON.parse(stored('twin-gcp').keyJson ?? '{}') as Record<string, string>;
  expect(key).toMatchObject({ private_key_id: c.gcp.privateKeyId, private_key: c.gcp.privateKey, client_email: c.gcp.clientEmail });
}

async function endpoints(): Promise<string[]> {
  const list = await cli.json<Array<{ name: string; endpoint?: string }>>(['connection', 'list']);
  return Object.values(CONNECTIONS).map((n) => list.find((c) => c.name === n)?.endpoint ?? `${n} missing`);
}

describe('twin connect after the twin was made anew', () => {
  it('the new twin refuses the old credentials; connect replaces them and every cloud works again', async () => {
    const ports = ['--port', String(await freePort()), '--azure-port', String(await freePort()), '--alibaba-port', String(await freePort()), '--boot-delay', '300ms'];
    await cli.json(['twin', 'up', ...ports]);
    await cli.json(['twin', 'connect']);
    const first = twinCreds(cli.twinDir);
    expectStoredFor(first);
    await Promise.all(Object.values(CONNECTIONS).map((name) => cli.json(['connection', 'test', name])));
    const before = await endpoints();

    await cli.json(['twin', 'down', '--yes']);
    rmSync(cli.twinDir, { recursive: true, force: true });
    await cli.json(['twin', 'up', ...ports]);
    const second = twinCreds(cli.twinDir);
    expect(second.aws.accessKeyId).not.toBe(first.aws.accessKeyId);
    expect(second.azure.clientSecret).not.toBe(first.azure.clientSecret);
    expect(second.gcp.privateKeyId).not.toBe(first.gcp.privateKeyId);
    // Same endpoints: what fails below is the credential, not the address.
    expect(await endpoints()).toEqual(before);

    // Each as its cloud answers: an unknown access key, a JWT the account's key did not sign, an unknown tenant.
    const refused = {
      aws: /aws: AuthFailure: AWS was not able to validate the provided access credentials/,
      gcp: /gcp: invalid_grant: Invalid JWT Signature/,
      azure: new RegExp(`azure: .*AADSTS90002: Tenant '${first.azure.tenantId}' not found`),
    };
    for (const [cloud, name] of Object.entries(CONNECTIONS) as Array<[keyof typeof CONNECTIONS, string]>) {
      const r = await cli.run(['connection', 'test', name]);
      expect({ cloud, code: r.code }).toEqual({ cloud, code: 1 });
      expect(r.stderr).toMatch(refused[cloud]);
    }

    const out = await cli.json<{ credentials: string[] }>(['twin', 'connect']);
    expect(out.credentials).toEqual(expect.arrayContaining(['twin-aws', 'twin-gcp', 'twin-azure']));
    expectStoredFor(second);
    await Promise.all(Object.values(CONNECTIONS).map((name) => cli.json(['connection', 'test', name])));
    // Nothing secret reached the output along the way.
    const creds = await cli.run(['credential', 'list', '--json']);
    expect(creds.stdout).not.toContain(second.aws.secretAccessKey);
    expect(creds.stdout).not.toContain(second.azure.clientSecret);
  }, 180_000);
});
