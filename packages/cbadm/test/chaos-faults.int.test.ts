/**
 * Fault campaign, cloud faults: 30 % capacity errors in all three clouds under each failure policy,
 * region outages during launch, during the boot wait and during delete, and 50 % throttling on every
 * cloud. Each outcome is checked against the documented one and, through each cloud's own API,
 * against the records.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAudit, converged, expectExit, RequestLog, waitForCalls, startCampaignTwin } from './chaos.js';
import { Cli, manifestYaml, type RunResult } from './harness.js';

// The campaign's kill points and fault rates were tuned with the default 500 ms polls.
const cli = new Cli({ env: { CB_TIMEOUT_MS: '60000', CB_POLL_MS: '500' } });
let log: RequestLog;
let audit: CloudAudit;

const AWS = { connection: 'twin-aws-ap-south-1', region: 'ap-south-1' };
const GCP = { connection: 'twin-gcp-asia-northeast3', region: 'asia-northeast3' };
const AZURE = { connection: 'twin-azure-koreacentral', region: 'koreacentral' };
const CONNECTIONS = [AWS.connection, GCP.connection, AZURE.connection];

type ErrorOut = { error: { kind: string; message: string }; result?: unknown };
type Failed = Array<{ vm: string; error: string }>;

/** An MCIS over the three clouds with `n` VMs in each (subgroups a, g, z). */
function manifest(name: string, n: { aws: number; gcp: number; azure: number }): string {
  const file = join(cli.home, `${name}.yaml`);
  writeFileSync(
    file,
    manifestYaml(name, [
      { name: 'a', connection: AWS.connection, count: n.aws },
      { name: 'g', connection: GCP.connection, count: n.gcp, spec: 'e2-small' },
      { name: 'z', connection: AZURE.connection, count: n.azure, spec: 'Standard_B1s' },
    ]),
  );
  return file;
}

const errorOut = (r: RunResult) => JSON.parse(r.stdout) as ErrorOut;
const faults = (...specs: string[]) => cli.json(['twin', 'fault', ...(specs.length ? specs : ['--clear'])]);

async function expectNothingLeft(name: string, label: string): Promise<void> {
  expect(audit.records(name).exists, `${label}: record left`).toBe(false);
  expect(await audit.check(name, CONNECTIONS), label).toEqual(converged(0, ''));
}

async function expectDefaultsGone(): Promise<void> {
  for (const c of CONNECTIONS) expect(await audit.defaults(c), c).toEqual([]);
}

beforeAll(async () => {
  ({ log, audit } = await startCampaignTwin(cli));
});
afterAll(async () => {
  await audit?.close();
  await cli.dispose();
});

/** Capacity errors as each cloud names them; GCE's fails the insert operation, as Google's does. */
const CAPACITY = ['RunInstances:InsufficientInstanceCapacity:0.3', 'gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:0.3', 'azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:0.3'];
const CAPACITY_CODE = /InsufficientInstanceCapacity|ZONE_RESOURCE_POOL_EXHAUSTED|SkuNotAvailable/;
const PER_CLOUD = { aws: 3, gcp: 3, azure: 3 };
const TOTAL = 9;

describe('chaos: cloud faults', () => {
  it('30 % capacity faults in all three clouds × rollback, continue, refine: the documented outcome and exit code', async () => {
    const seen: Record<string, number> = {};
    for (const policy of ['rollback', 'continue', 'refine'] as const) {
      // 9 VMs at 30 %: some fail 96 % of the time; a run where none did is checked as a success
      // and tried again, so each policy is seen handling failures.
      for (let attempt = 1; attempt <= 3 && seen[policy] === undefined; attempt++) {
        const name = `cap-${policy}-${attempt}`;
        const file = manifest(name, PER_CLOUD);
        await faults(...CAPACITY);
        const r = await cli.run(['mcis', 'create', '-f', file, '--on-failure', policy, '--json']);
        await faults();
        if (r.code === 0) {
          expect(await audit.check(name, CONNECTIONS), `${name}: no fault hit`).toEqual(converged(TOTAL, 'Running'));
          expectExit(await cli.run(['mcis', 'delete', name, '--force']), [0], `delete ${name}`);
          continue;
        }
        const out = errorOut(r);
        if (policy === 'rollback') {
          // Everything made is removed, the record and the default resources too: exit 1.
          expectExit(r, [1], name);
          expect(out.error.message).toMatch(/rolled back/);
          expect(out.error.message).toMatch(CAPACITY_CODE);
          seen[policy] = (out.error.message.match(CAPACITY_CODE) ?? []).length;
          await expectNothingLeft(name, name);
          await expectDefaultsGone();
          continue;
        }
        expectExit(r, [3], name);
        const result = out.result as { failed: Failed; removed: string[]; mcis: { status: string } };
        const k = result.failed.length;
        expect(k).toBeGreaterThan(0);
        for (const f of result.failed) expect(f.error, f.vm).toMatch(CAPACITY_CODE);
        seen[policy] = k;
        if (policy === 'continue') {
          // The VMs that worked are kept and run; the failed ones stay recorded as Failed.
          expect(await audit.check(name, CONNECTIONS)).toEqual({ ...converged(TOTAL - k, 'Running'), records: TOTAL, statuses: [...Array<string>(k).fill('Failed'), ...Array<string>(TOTAL - k).fill('Running')] });
          expect(result.mcis.status).toBe(`Partial-Running:${TOTAL - k} (R:${TOTAL - k}/${TOTAL})`);
          // Capacity back: the same command converges.
          expectExit(await cli.run(['mcis', 'create', '-f', file]), [0], `${name} re-run`);
          expect(await audit.check(name, CONNECTIONS)).toEqual(converged(TOTAL, 'Running'));
        } else {
          // refine: the failed VMs are dropped; the shortfall shows against the requested count.
          expect(result.removed.sort()).toEqual(result.failed.map((f) => f.vm).sort());
          expect(result.mcis.status).toBe(`Partial-Running:${TOTAL - k} (R:${TOTAL - k}/${TOTAL})`);
          expect(await audit.check(name, CONNECTIONS)).toEqual(converged(TOTAL - k, 'Running'));
        }
        expectExit(await cli.run(['mcis', 'delete', name, '--force']), [0], `delete ${name}`);
        await expectNothingLeft(name, name);
      }
      expect(seen[policy], `${policy}: no run had a capacity failure in 3 tries`).toBeGreaterThan(0);
    }
    await expectDefaultsGone();
    console.log(`chaos capacity figures (failed VMs of ${TOTAL}): ${JSON.stringify(seen)}`);
  });

  it('region outages during launch, during the boot wait and during delete: exit 3 with per-VM reasons, then re-runs converge', async () => {
    // Launch: AWS goes down after the first of its RunInstances, made one at a time and slowed so
    // the outage lands between them.
    const f1 = manifest('out-launch', { aws: 3, gcp: 1, azure: 1 });
    await faults(`RunInstances:-:1:1500ms@${AWS.region}`);
    let from = log.size();
    const c1 = cli.run(['mcis', 'create', '-f', f1, '--parallelism', '1', '--json']);
    let finished = false;
    void c1.then(() => (finished = true));
    expect(await waitForCalls(log, from, (l) => l.includes(` ${AWS.region} RunInstances `), 1, () => finished)).toBe(true);
    await cli.json(['twin', 'fault', '--outage', AWS.region]);
    const r1 = await c1;
    await cli.json(['twin', 'fault', '--clear', '--restore', AWS.region]);
    expectExit(r1, [3], 'create during a launch outage');
    const failed1 = (errorOut(r1).result as { failed: Failed }).failed;
    expect(failed1.length).toBeGreaterThan(0);
    for (const f of failed1) {
      expect(f.vm).toMatch(/^a-/);
      expect(f.error).toMatch(/Unavailable/);
    }
    expectExit(await cli.run(['mcis', 'create', '-f', f1]), [0], 're-run after the launch outage');
    expect(await audit.check('out-launch', CONNECTIONS)).toEqual(converged(5, 'Running'));

    // Boot wait: GCP goes down once both inserts were accepted. Its calls are slowed meanwhile so
    // the outage lands while the VMs are still being waited for.
    const f2 = manifest('out-boot', { aws: 1, gcp: 2, azure: 1 });
    await faults(`gcp:*:-:1:1500ms@${GCP.region}`);
    from = log.size();
    const c2 = cli.run(['mcis', 'create', '-f', f2, '--json']);
    finished = false;
    void c2.then(() => (finished = true));
    expect(await waitForCalls(log, from, (l) => / instances\.insert 200 /.test(l), 2, () => finished)).toBe(true);
    await cli.json(['twin', 'fault', '--outage', GCP.region]);
    const r2 = await c2;
    await cli.json(['twin', 'fault', '--clear', '--restore', GCP.region]);
    expectExit(r2, [3], 'create during a boot-wait outage');
    const failed2 = (errorOut(r2).result as { failed: Failed }).failed;
    expect(failed2.map((f) => f.vm).sort()).toEqual(['g-1', 'g-2']);
    for (const f of failed2) expect(f.error).toMatch(/backendError/); // GCE answers an outage with 503 backendError
    // Launched, then cut off: the instances exist and the records point at them.
    expect((await audit.check('out-boot', CONNECTIONS)).orphans).toEqual([]);
    expectExit(await cli.run(['mcis', 'create', '-f', f2]), [0], 're-run after the boot-wait outage');
    expect(await audit.check('out-boot', CONNECTIONS)).toEqual(converged(4, 'Running'));

    // Delete: Azure is down; the other clouds are cleaned now, Azure on the re-run.
    await cli.json(['twin', 'fault', '--outage', AZURE.region]);
    for (const name of ['out-launch', 'out-boot']) {
      const r = await cli.run(['mcis', 'delete', name, '--force', '--json']);
      expectExit(r, [3], `delete ${name} during an outage`);
      const result = errorOut(r).result as { failedVms: Failed };
      expect(result.failedVms.map((f) => f.vm)).toEqual(['z-1']);
      expect(audit.records(name)).toMatchObject({ exists: true, deleting: true });
      expect(await audit.check(name, [AWS.connection, GCP.connection])).toMatchObject({ cloud: 0, orphans: [], duplicates: [] });
    }
    for (const c of [AWS.connection, GCP.connection]) expect(await audit.defaults(c), c).toEqual([]);
    await cli.json(['twin', 'fault', '--restore', AZURE.region]);
    for (const name of ['out-launch', 'out-boot']) {
      expectExit(await cli.run(['mcis', 'delete', name, '--yes']), [0], `delete ${name} after the outage`);
      await expectNothingLeft(name, name);
    }
    await expectDefaultsGone();
  });

  // Needs the drivers to keep retrying while every cloud answers "throttled" (issue 11, item 8).
  it('50 % throttling on every cloud: create, suspend, resume and delete all succeed and agree with the clouds', async () => {
    // Regions of its own: what the other tests leave behind cannot blur the final check.
    const own = ['twin-aws-eu-north-1', 'twin-gcp-us-central1', 'twin-azure-eastus'];
    const file = join(cli.home, 'thr.yaml');
    writeFileSync(
      file,
      manifestYaml('thr', [
        { name: 'a', connection: own[0]!, count: 1 },
        { name: 'g', connection: own[1]!, count: 1, spec: 'e2-small' },
        { name: 'z', connection: own[2]!, count: 1, spec: 'Standard_B1s' },
      ]),
    );
    const THROTTLE = ['*:RequestLimitExceeded:0.5', 'gcp:*:rateLimitExceeded:0.5', 'azure:*:TooManyRequests:0.5'];
    const steps: Array<[string[], string]> = [
      [['mcis', 'create', '-f', file], 'Running'],
      [['mcis', 'suspend', 'thr'], 'Suspended'],
      [['mcis', 'resume', 'thr'], 'Running'],
      [['mcis', 'delete', 'thr', '--force'], ''],
    ];
    for (const [args, status] of steps) {
      const from = log.size();
      await faults(...THROTTLE);
      const r = await cli.run(args);
      const throttled = log.since(from).filter((l) => / (RequestLimitExceeded|rateLimitExceeded|TooManyRequests) /.test(l)).length;
      await faults();
      expectExit(r, [0], `${args.join(' ')} under 50 % throttling (${throttled} calls throttled)`);
      expect(throttled, 'the faults were hit').toBeGreaterThan(0);
      if (status) expect(await audit.check('thr', own)).toEqual(converged(3, status));
    }
    expect(audit.records('thr').exists).toBe(false);
    expect(await audit.check('thr', own)).toEqual(converged(0, ''));
    for (const c of own) expect(await audit.defaults(c), c).toEqual([]);
  });
});
