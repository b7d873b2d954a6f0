/**
 * Who may drive a twin: SigV4 verified on the EC2 Query API through the AWS SDK and the real `aws`
 * CLIs (v1 and v2), presigned URLs and clock skew, the admin API's token, and the secret file.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { admin, ec2Error, rawCall, Sha256, startTestTwin, type TestTwin } from '../../test/helpers.js';
import { startTwin } from '../twin.js';
import { readTwinCredentials, SECRET_FILE } from './credentials.js';

let t: TestTwin;
beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 0, stopDelayMs: 0 });
});
afterAll(() => t.cleanup());

const describeRegions = async (credentials: { accessKeyId: string; secretAccessKey: string }) => {
  const c = new EC2Client({ region: 'us-east-1', endpoint: t.twin.endpoints.aws, credentials, maxAttempts: 1 });
  try {
    return await c.send(new DescribeRegionsCommand({}));
  } finally {
    c.destroy();
  }
};

describe('SigV4 on the EC2 Query API (AWS SDK)', () => {
  it('takes the twin\'s key; a wrong secret is SignatureDoesNotMatch (403), an unknown key AuthFailure (401)', async () => {
    expect((await describeRegions(t.twin.credentials.aws)).Regions?.length).toBeGreaterThan(5);
    // The last character changed for one it is not: a secret that ends in x stays wrong too.
    const secret = t.twin.credentials.aws.secretAccessKey;
    const wrong = await ec2Error(describeRegions({ ...t.twin.credentials.aws, secretAccessKey: `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}` }));
    expect(wrong).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(wrong.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    expect(await ec2Error(describeRegions({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: t.twin.credentials.aws.secretAccessKey }))).toMatchObject({
      name: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    });
  });

  it('refuses a signed body that was changed on the way', async () => {
    const res = await fetch(`${t.twin.endpoints.aws}/`, { method: 'POST' });
    expect(res.status).toBe(401);
    const ok = await rawCall(t.twin, { Action: 'DescribeRegions' });
    expect(ok.status).toBe(200);
    // Signed for one action, sent with another: the payload hash no longer matches.
    const url = new URL(t.twin.endpoints.aws);
    const body = 'Action=DescribeRegions&Version=2016-11-15';
    const signed = await new SignatureV4({ service: 'ec2', region: 'us-east-1', credentials: t.twin.credentials.aws, sha256: Sha256 }).sign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
    const headers = { ...signed.headers };
    delete headers.host;
    const tampered = await fetch(`${t.twin.endpoints.aws}/`, { method: 'POST', headers, body: 'Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1' });
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(tampered.status).toBe(403);
  });

  it('verifies presigned query auth, and refuses a request signed an hour ago (RequestExpired)', async () => {
    const presigned = await rawCall(t.twin, { Action: 'DescribeRegions' }, 'us-east-1', { presign: true });
    expect(presigned.status).toBe(200);
    expect(presigned.text).toContain('<regionInfo>');
    const forged = await rawCall(t.twin, { Action: 'DescribeRegions' }, 'us-east-1', { presign: true, keys: { ...t.twin.credentials.aws, secretAccessKey: 'guess' } });
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const stale = await rawCall(t.twin, { Action: 'DescribeRegions' }, 'us-east-1', { signingDate: new Date(Date.now() - 3_600_000) });
    expect(stale.status).toBe(400);
    expect(stale.text).toMatch(/<Code>RequestExpired<\/Code><Message>Request has expired\. Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });
});

/** Both `aws` CLIs on the machine (v1 from pyenv, v2 from Debian): each signs with botocore. */
const CLIS = ['/root/.pyenv/shims/aws', '/usr/bin/aws'].filter((p) => existsSync(p));

describe.each(CLIS)('SigV4 with the real aws CLI %s', (cli) => {
  // Asynchronously: the twin answers from this very process.
  const run = async (keys: { accessKeyId: string; secretAccessKey: string }) => {
    const home = mkdtempSync(join(tmpdir(), 'cb-aws-cli-'));
    try {
      // Keys in the environment, never on the command line.
      const child = spawn(cli, ['--endpoint-url', t.twin.endpoints.aws, '--region', 'eu-west-1', '--output', 'json', 'ec2', 'describe-regions'], {
        env: { PATH: process.env.PATH ?? '', HOME: home, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_MAX_ATTEMPTS: '1', AWS_PAGER: '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((r) => child.on('close', r));
      return { status, stdout, stderr };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };

  it('works with the twin\'s key; a wrong secret and an unknown key fail with the EC2 codes', async () => {
    const ok = await run(t.twin.credentials.aws);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { Regions: { RegionName: string }[] }).Regions.map((r) => r.RegionName)).toContain('eu-west-1');
    const wrong = await run({ ...t.twin.credentials.aws, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/\(SignatureDoesNotMatch\)/);
    const unknown = await run({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: t.twin.credentials.aws.secretAccessKey });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/\(AuthFailure\)/);
  });
});

describe('the admin API', () => {
  it('refuses calls without the admin token, or with another, and changes nothing', async () => {
    const rule = JSON.stringify([{ action: 'RunInstances', code: 'InsufficientInstanceCapacity', rate: 1 }]);
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${t.twin.credentials.aws.secretAccessKey}` }, { authorization: t.twin.credentials.admin }]) {
      for (const [method, path, body] of [['GET', '/status'], ['PUT', '/faults', rule], ['PUT', '/iam', '{"deny":["ec2:*"]}'], ['POST', '/outage', '{"region":"us-east-1","down":true}'], ['POST', '/shutdown'], ['GET', '/k8s/clusters']] as const) {
        const res = await fetch(`${t.twin.adminUrl}${path}`, { method, headers, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
    }
    const status = (await (await admin(t.twin, '/status')).json()) as { faults: unknown[]; outages: unknown[] };
    expect(status).toMatchObject({ faults: [], outages: [] });
    expect(await (await admin(t.twin, '/iam')).json()).toEqual({ deny: [] });
  });

  it('refuses a VM\'s node token outside /_twin/k8s/', async () => {
    const res = await fetch(`${t.twin.adminUrl}/faults`, { method: 'PUT', headers: { authorization: `Bearer i-0123456789abcdef0.${'A'.repeat(43)}` }, body: '[]' });
    expect(res.status).toBe(401);
  });
});

describe('the secret file', () => {
  it('is made 0600 on first start, keeps the credentials across restarts, and a damaged one is refused without showing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-twin-secret-'));
    try {
      const first = await startTwin({ stateDir: dir, sshPort: 0, log: () => {} });
      await first.close();
      const file = join(dir, SECRET_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readTwinCredentials(dir)).toEqual(first.credentials);
      expect(first.credentials.aws.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(first.credentials.aws.secretAccessKey).toHaveLength(40);
      const other = mkdtempSync(join(tmpdir(), 'cb-twin-secret-'));
      const second = await startTwin({ stateDir: other, sshPort: 0, log: () => {} });
      await second.close();
      expect(second.credentials.aws).not.toEqual(first.credentials.aws);
      rmSync(other, { recursive: true, force: true });

      writeFileSync(file, '{"version":1,"secret":"c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3Qtc2hvdw', { mode: 0o600 });
      await expect(startTwin({ stateDir: dir, sshPort: 0, log: () => {} })).rejects.toThrow(/twin-secret\.json is damaged \(not JSON\); remove it/);
      let message = '';
      expect(() => {
        try {
          readTwinCredentials(dir);
        } catch (e) {
          message = String(e);
          throw e;
        }
      }).toThrow(/damaged/);
      expect(message).not.toContain('c2VjcmV0');
      chmodSync(file, 0o644);
      expect(() => readTwinCredentials(dir)).toThrow(/readable by other users; run: chmod 600/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
