/**
 * Google's own CLI against the twin: `gcloud` takes the service-account key `cbadm twin connect`
 * stored (its token_uri is the twin's /token), gets a token there, and reads and drives the twin's
 * Compute API through CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE. What gcloud shows must be what the
 * GCP driver sees through cbadm: the same zones, the same instance with the same name, status and
 * addresses, and a stop made with gcloud is what the driver reads back.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';

const GCLOUD = optionalTool('gcloud', "apt-get install -y google-cloud-cli (Google's apt repository: https://cloud.google.com/sdk/docs/install#deb)");
const PROJECT = 'cb-twin-project';
const CONNECTION = 'twin-gcp-asia-northeast3';

type Vm = { name: string; status: string; publicIp: string | null; privateIp: string | null; providerId: string | null; zone?: string; nativeState?: string };
type Mcis = { name: string; status: string; vms: Vm[] };
/** The fields of a compute#instance that gcloud prints with --format=json and this test compares. */
type GceInstance = {
  name: string;
  status: string;
  zone: string;
  labels?: Record<string, string>;
  networkInterfaces: Array<{ networkIP: string; accessConfigs?: Array<{ natIP?: string }> }>;
};

const cli = new Cli();
let gcloudEnv: NodeJS.ProcessEnv = {};

/** Runs gcloud with a throwaway config dir; rejects with its stderr when it fails. */
async function gcloud(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(GCLOUD ?? 'gcloud', args, { env: gcloudEnv, encoding: 'utf8', timeout: 30_000 });
}

async function gcloudJson<T>(args: string[]): Promise<T> {
  return JSON.parse((await gcloud([...args, '--format=json'])).stdout) as T;
}

const natIp = (i: GceInstance) => i.networkInterfaces[0]?.accessConfigs?.[0]?.natIP ?? null;

describe.skipIf(!GCLOUD)('gcloud against Cloud-Twin', () => {
  beforeAll(async () => {
    const up = await cli.json<{ endpoints: { gcp: string } }>(['twin', 'up', '--boot-delay', '300ms', '--stop-delay', '300ms']);
    await cli.json(['twin', 'connect']);
    gcloudEnv = {
      PATH: process.env.PATH,
      HOME: cli.home,
      CLOUDSDK_CONFIG: join(cli.home, 'gcloud'),
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${up.endpoints.gcp}/compute/v1/`,
      CLOUDSDK_CORE_PROJECT: PROJECT,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    };
  }, 60_000);
  afterAll(() => cli.dispose());

  it('activates the key cbadm stored (token from the twin), and refuses one the account does not own', async () => {
    // The key file exactly as `twin connect` stored it (token_uri → the twin's /token).
    const keyJson = (JSON.parse(readFileSync(join(cli.home, 'credentials', 'twin-gcp.json'), 'utf8')) as { keyJson: string }).keyJson;
    const keyFile = join(cli.home, 'twin-sa.json');
    writeFileSync(keyFile, keyJson, { mode: 0o600 });
    // The same account with a key the twin never made: Google answers invalid_grant.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const forged = join(cli.home, 'forged-sa.json');
    writeFileSync(forged, JSON.stringify({ ...(JSON.parse(keyJson) as object), private_key: privateKey }), { mode: 0o600 });
    await expect(gcloud(['auth', 'activate-service-account', `--key-file=${forged}`])).rejects.toThrow(/Invalid JWT Signature/);

    await gcloud(['auth', 'activate-service-account', `--key-file=${keyFile}`]);
    const accounts = await gcloudJson<Array<{ account: string; status: string }>>(['auth', 'list']);
    expect(accounts).toEqual([{ account: 'cloud-twin@cb-twin-project.iam.gserviceaccount.com', status: 'ACTIVE' }]);
  }, 60_000);

  it('zones list agrees with the regions and zones the GCP driver found', async () => {
    const zones = await gcloudJson<Array<{ name: string; region: string; status: string }>>(['compute', 'zones', 'list']);
    const conns = (await cli.json<Array<{ name: string; provider: string; region: string; zone?: string }>>(['connection', 'list'])).filter((c) => c.provider === 'gcp');
    expect(conns.length).toBeGreaterThanOrEqual(8);
    for (const c of conns) {
      const z = zones.find((x) => x.name === c.zone);
      expect({ connection: c.name, region: z?.region.split('/').pop(), status: z?.status }).toEqual({ connection: c.name, region: c.region, status: 'UP' });
    }
  }, 60_000);

  it('shows the instance cbadm created as the driver sees it; a gcloud stop and start is what the driver reads back', async () => {
    const file = join(cli.home, 'gcloud.yaml');
    writeFileSync(file, manifestYaml('gcl', [{ name: 'web', connection: CONNECTION, count: 1, spec: 'e2-small' }]));
    const created = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    const vm = created.mcis.vms[0];
    const [zone, name] = (vm?.providerId ?? '').split('/');
    expect(vm).toMatchObject({ status: 'Running', zone: 'asia-northeast3-a' });
    expect(zone).toBe(vm?.zone);

    const listed = await gcloudJson<GceInstance[]>(['compute', 'instances', 'list']);
    expect(listed.map((i) => i.name)).toEqual([name]);
    const described = await gcloudJson<GceInstance>(['compute', 'instances', 'describe', name ?? '', `--zone=${zone}`]);
    for (const i of [listed[0] as GceInstance, described]) {
      expect({ name: i.name, status: i.status, zone: i.zone.split('/').pop(), natIP: natIp(i), networkIP: i.networkInterfaces[0]?.networkIP, vm: i.labels?.['cb-vm'] }).toEqual({
        name,
        status: 'RUNNING',
        zone,
        natIP: vm?.publicIp,
        networkIP: vm?.privateIp,
        vm: 'web-1',
      });
    }

    await gcloud(['compute', 'instances', 'stop', name ?? '', `--zone=${zone}`]);
    const stopped = await cli.json<Mcis>(['mcis', 'status', 'gcl', '--refresh']);
    expect(stopped.status).toBe('Suspended:1 (R:0/1)');
    expect(stopped.vms[0]).toMatchObject({ nativeState: 'TERMINATED', publicIp: null });

    await gcloud(['compute', 'instances', 'start', name ?? '', `--zone=${zone}`]);
    const started = await cli.json<Mcis>(['mcis', 'status', 'gcl', '--refresh']);
    expect(started.status).toBe('Running:1 (R:1/1)');
    const again = await gcloudJson<GceInstance>(['compute', 'instances', 'describe', name ?? '', `--zone=${zone}`]);
    expect({ status: again.status, natIP: natIp(again) }).toEqual({ status: 'RUNNING', natIP: started.vms[0]?.publicIp });
    expect(again.networkInterfaces[0]?.networkIP).toBe(started.vms[0]?.privateIp);

    await cli.json(['mcis', 'terminate', 'gcl', '--yes']);
    await cli.json(['mcis', 'delete', 'gcl', '--yes']);
    expect(await gcloudJson<GceInstance[]>(['compute', 'instances', 'list'])).toEqual([]);
  }, 180_000);
});
