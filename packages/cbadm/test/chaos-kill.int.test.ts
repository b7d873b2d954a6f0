/**
 * Fault campaign, kills: `mcis create`, `suspend`, `resume` and `delete --force` are SIGKILLed after
 * a random number of their cloud calls (seeded; the seed is printed) on an MCIS spanning AWS, GCP
 * and Azure, then run again. After every re-run each cloud's own API must agree with the records:
 * no duplicate, no orphan, no dangling record; after the delete nothing of ours is left.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAudit, converged, expectExit, killAfterCalls, RequestLog, seededRandom, type KillResult, startCampaignTwin } from './chaos.js';
import { Cli, manifestYaml } from './harness.js';
import { twinAdminFetch } from './twin-ec2.js';

// The campaign's kill points and fault rates were tuned with the default 500 ms polls.
const cli = new Cli({ env: { CB_TIMEOUT_MS: '60000', CB_POLL_MS: '500' } });
let log: RequestLog;
let audit: CloudAudit;
let adminUrl = '';

/**
 * One lane per cloud, side by side, each in its own region so its calls can be told apart in the
 * log; a process then loads one cloud SDK, which keeps the campaign's CPU within budget.
 */
const LANES = [
  { provider: 'aws', region: 'eu-west-1', spec: 't3.micro', rounds: 6 },
  { provider: 'gcp', region: 'europe-west1', spec: 'e2-small', rounds: 2 },
  { provider: 'azure', region: 'westeurope', spec: 'Standard_B1s', rounds: 3 },
] as const;
type Lane = (typeof LANES)[number];
const VMS = 2;
const COMMANDS = ['create', 'suspend', 'resume', 'delete'] as const;
type Command = (typeof COMMANDS)[number];

const connectionOf = (l: Lane) => `twin-${l.provider}-${l.region}`;

function manifest(name: string, lane: Lane): string {
  const file = join(cli.home, `${name}.yaml`);
  writeFileSync(file, manifestYaml(name, [{ name: 'g', connection: connectionOf(lane), count: VMS, spec: lane.spec }]));
  return file;
}

function argsFor(cmd: Command, name: string, file: string): string[] {
  return cmd === 'create' ? ['mcis', 'create', '-f', file] : cmd === 'delete' ? ['mcis', 'delete', name, '--force'] : ['mcis', cmd, name];
}

const AFTER: Record<Command, string> = { create: 'Running', suspend: 'Suspended', resume: 'Running', delete: '' };

/** After a delete: no record, no instance, no default network or key pair on the lane's connections. */
async function expectNothingLeft(name: string, connections: string[], label: string): Promise<void> {
  expect(audit.records(name).exists, `${label}: record left`).toBe(false);
  expect(await audit.check(name, connections), label).toEqual(converged(0, ''));
  for (const c of connections) expect(await audit.defaults(c), `${label}: defaults left on ${c}`).toEqual([]);
}

beforeAll(async () => {
  ({ adminUrl, log, audit } = await startCampaignTwin(cli));
});
afterAll(async () => {
  await audit?.close();
  await cli.dispose();
});

describe('chaos: SIGKILL at random points, then re-run', () => {
  it('create, suspend, resume, delete --force killed 10+ times each over AWS, GCP and Azure converge with nothing duplicated, orphaned or left', async () => {
    const rnd = seededRandom('kill');
    // One uninterrupted cycle per lane: how many cloud calls each command makes, so kill points
    // spread over it.
    const calls = new Map<Lane, Record<Command, number>>();
    await Promise.all(
      LANES.map(async (lane) => {
        const name = `warm-${lane.provider}`;
        const file = manifest(name, lane);
        const counted = {} as Record<Command, number>;
        for (const cmd of COMMANDS) {
          const from = log.size();
          expectExit(await cli.run(argsFor(cmd, name, file)), [0], `warm-up ${lane.provider} ${cmd}`);
          counted[cmd] = log.countFor(from, [lane.region]);
          if (cmd !== 'delete') expect(await audit.check(name, [connectionOf(lane)]), `warm-up ${cmd}`).toEqual(converged(VMS, AFTER[cmd]));
        }
        await expectNothingLeft(name, [connectionOf(lane)], `warm-up ${lane.provider} delete`);
        calls.set(lane, counted);
      }),
    );

    // Drawn up front, so a replayed seed gives the same points whatever order the lanes run in.
    // k = 0 kills during start-up (before or around the first call); otherwise after k calls, at
    // most 85 % of a full run's so the process is still working.
    const plan = LANES.map((lane) =>
      Array.from({ length: lane.rounds }, () =>
        Object.fromEntries(
          COMMANDS.map((c) => [c, rnd.next() < 0.1 ? { k: 0, startupMs: rnd.int(0, 600) } : { k: rnd.int(1, Math.max(1, Math.floor(calls.get(lane)![c] * 0.85))), startupMs: 0 }]),
        ) as Record<Command, { k: number; startupMs: number }>,
      ),
    );
    const results: Array<{ cmd: Command; provider: string; kill: KillResult; rerun: number | null }> = [];
    await Promise.all(
      LANES.map(async (lane, li) => {
        const connections = [connectionOf(lane)];
        for (let round = 0; round < lane.rounds; round++) {
          const name = `k-${lane.provider}-${round}`;
          const file = manifest(name, lane);
          for (const cmd of COMMANDS) {
            const point = plan[li]![round]![cmd];
            const label = `seed ${rnd.seed} ${lane.provider} round ${round} ${cmd} killed after ${point.k ? `${point.k} calls` : `${point.startupMs} ms`}`;
            const kill = await killAfterCalls(cli, log, argsFor(cmd, name, file), [lane.region], point.k, point.startupMs);
            const rerun = await cli.run(argsFor(cmd, name, file));
            // A delete killed after removing the record has nothing left to do: not found.
            expectExit(rerun, cmd === 'delete' ? [0, 4] : [0], `${label}: re-run`);
            results.push({ cmd, provider: lane.provider, kill, rerun: rerun.code });
            if (cmd === 'delete') await expectNothingLeft(name, connections, label);
            else expect(await audit.check(name, connections), label).toEqual(converged(VMS, AFTER[cmd]));
          }
        }
      }),
    );

    // The twin's own view: no instance of any cloud is left in the lanes' regions.
    const left = ((await (await twinAdminFetch(cli.twinDir, adminUrl, '/instances')).json()) as Array<{ region: string; state: string }>).filter(
      (i) => LANES.some((l) => l.region === i.region) && i.state !== 'terminated',
    );
    expect(left).toEqual([]);
    const figures = Object.fromEntries(
      COMMANDS.map((c) => {
        const mine = results.filter((r) => r.cmd === c);
        return [c, { kills: mine.filter((r) => r.kill.landed).length, reruns: mine.length, byCloud: Object.fromEntries(LANES.map((l) => [l.provider, mine.filter((r) => r.provider === l.provider && r.kill.landed).map((r) => `${r.kill.calls}/${calls.get(l)![c]}`)])) }];
      }),
    );
    console.log(`chaos kill figures: ${JSON.stringify(figures)}`);
    // Every command really was killed mid-way at least 10 times.
    for (const c of COMMANDS) expect(figures[c]!.kills, c).toBeGreaterThanOrEqual(10);
  }, 600_000);
});
