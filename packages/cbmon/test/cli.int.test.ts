/**
 * End to end: the built cbmon against agents on Cloud-Twin VMs made by the built cbadm — install
 * with a VM down, stream, a background collector surviving a killed session and a suspend/resume
 * with nothing lost, push mode, query, check exit codes, exports, alerts, watch, bad input.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, readLines, words } from './harness.js';
import { processesMatching, until } from './procs.js';
import { freePort } from '../../../test-support/net.js';

// The VMs' SSH port: a free one, so two runs on one host (or this file beside another) never collide.
const cli = new Cli(await freePort());
type Vm = { name: string; providerId: string; status: string };
type JobResult = {
  vms: Array<{
    vm: string;
    ok: boolean;
    result?: string;
    error?: string;
    status?: { mode: string; running: boolean };
  }>;
};
type StatusRow = {
  vm: string;
  installed: boolean | null;
  running: boolean | null;
  seq: number | null;
  stored: number | null;
  lag: number | null;
  lost: number | null;
  mode: string | null;
};
type Stats = {
  running: boolean;
  pushUrl: string | null;
  stats: {
    stored: number;
    lost: number;
    latencyMs: { p95: number | null };
    agents: Array<{ vm: string; state: string }>;
  } | null;
};
type QueryResult = {
  groups: Array<{ key: string; value: number | null; points: Array<{ value: number | null }> }>;
};
let vms: Vm[] = [];
let pushUrl = '';

beforeAll(async () => {
  // Isolation off: the collector listens on this machine's loopback, which an isolated twin VM (like a
  // VM in a real cloud) cannot reach for --push, and the killed-session check finds the VM's session
  // by its command line on the host. The isolated twin has its own e2e (cbadm isolation.int).
  expect(
    (await cli.cbadm(['twin', 'up', '--boot-delay', '300ms', '--ssh-port', String(cli.sshPort), '--isolation', 'off'])).code,
  ).toBe(0);
  expect((await cli.cbadm(['twin', 'connect'])).code).toBe(0);
  await cli.json('cbadm', [
    'mcis',
    'create',
    '-f',
    cli.manifest('mon', [
      { name: 'seoul', region: 'ap-northeast-2', count: 2 },
      { name: 'tokyo', region: 'ap-northeast-1', count: 1, image: 'debian-12' },
    ]),
  ]);
  await cli.json('cbadm', [
    'mcis',
    'create',
    '-f',
    cli.manifest('edge', [{ name: 'edge', region: 'us-east-1', count: 1 }]),
  ]);
  vms = (await cli.json<{ vms: Vm[] }>('cbadm', ['mcis', 'get', 'mon'])).vms;
});
afterAll(() => cli.dispose());

async function statusRows(mcis: string): Promise<StatusRow[]> {
  return cli.json<StatusRow[]>('cbmon', ['agent', 'status', mcis]);
}

describe('cbmon end to end', () => {
  it('refuses bad input with a clear message and the documented exit code', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['agent', 'install', 'nope'], 4, /MCIS 'nope' not found/],
      [['agent', 'install', 'mon', '--vm', 'nope-1'], 4, /VM 'nope-1' not found/],
      [['agent', 'install', 'mon', '--interval', '500ms'], 2, /whole seconds/],
      [['stream', 'mon', '--metric', 'bogus'], 2, /unknown metric 'bogus'/],
      [['query', 'mon', '--metric', 'cpu_utilization', '--since', 'abc'], 2, /--since: 'abc' is not a duration/],
      [['check', 'nope', '--rule', 'cpu_utilization > 1'], 4, /MCIS 'nope' not found/],
      [['alert', 'remove', 'ghost'], 4, /alert 'ghost' not found/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli.cbmon(args)));
    results.forEach((r, i) => {
      const [args, code, msg] = cases[i]!;
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toMatch(msg);
      // Said once: not again as an issue line under the message.
      expect(r.stderr.match(new RegExp(msg.source, 'g')), args.join(' ')).toHaveLength(1);
    });
    // --json puts the typed error on stdout.
    const j = await cli.cbmon(['check', 'mon', '--rule', 'cpu_utilization >', '--json']);
    expect((JSON.parse(j.stdout) as { error: unknown }).error).toMatchObject({ kind: 'usage' });
  });

  it('installs agents; a VM that is down is reported (exit 3) and the others go on', async () => {
    expect((await cli.cbadm(['mcis', 'suspend', 'mon', '--vm', 'tokyo-1'])).code).toBe(0);
    const partial = await cli.cbmon(['agent', 'install', 'mon', '--interval', '1s', '--json']);
    expect(partial.code).toBe(3);
    const body = JSON.parse(partial.stdout) as { error: { kind: string }; result: JobResult };
    expect(body.error.kind).toBe('partial');
    expect(body.result.vms.map((v) => [v.vm, v.ok])).toEqual([
      ['seoul-1', true],
      ['seoul-2', true],
      ['tokyo-1', false],
    ]);
    expect(body.result.vms[2]!.error).toMatch(/Suspended/);
    expect((await cli.cbadm(['mcis', 'resume', 'mon', '--vm', 'tokyo-1'])).code).toBe(0);
    const all = await cli.json<JobResult>('cbmon', ['agent', 'install', 'mon', '--interval', '1s']);
    expect(all.vms.map((v) => [v.vm, v.result])).toEqual([
      ['seoul-1', 'unchanged'],
      ['seoul-2', 'unchanged'],
      ['tokyo-1', 'installed'],
    ]);
  });

  it('streams samples as JSON lines, filtered by metric', async () => {
    const r = await cli.cbmon(['stream', 'mon', '--json', '--metric', 'cpu', '--duration', '2500ms']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            vm: string;
            seq: number;
            points: Array<{ measurement: string; fields: Record<string, number> }>;
          },
      );
    expect(new Set(lines.map((l) => l.vm))).toEqual(new Set(['seoul-1', 'seoul-2', 'tokyo-1']));
    for (const l of lines) {
      expect(l.points.map((p) => p.measurement)).toEqual(['cpu']);
      expect(l.points[0]!.fields.cpu_utilization).toBeGreaterThanOrEqual(0);
    }
  });

  it('collects in the background with nothing lost across a killed session and a suspend/resume', async () => {
    const started = await cli.json<{ pid: number; pushUrl: string }>('cbmon', [
      'collector',
      'start',
      '--listen',
      '127.0.0.1:0',
    ]);
    pushUrl = started.pushUrl;
    expect(pushUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/write$/);
    await until(
      async () => ((await cli.json<Stats>('cbmon', ['collector', 'status'])).stats?.stored ?? 0) >= 9,
      30_000,
      'samples stored',
    );

    // Kill seoul-1's SSH session on the VM side (its /proc is this machine's).
    const seoul1 = vms.find((v) => v.name === 'seoul-1')!;
    const [victim] = processesMatching(cli.home, seoul1.providerId, '.cbmon/agent.sh', 'stream');
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');

    // Stop and start seoul-2: the agent dies with the VM and the collector restarts it.
    expect((await cli.cbadm(['mcis', 'suspend', 'mon', '--vm', 'seoul-2'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await cli.cbadm(['mcis', 'resume', 'mon', '--vm', 'seoul-2'])).code).toBe(0);

    await until(
      async () => (await statusRows('mon')).every((r) => r.running && r.lag === 0 && (r.seq ?? 0) >= 5),
      30_000,
      'every agent running and stored up to date',
    );
    const st = await cli.json<Stats>('cbmon', ['collector', 'status']);
    expect(st.running).toBe(true);
    expect(st.stats!.lost).toBe(0);
    expect(st.stats!.latencyMs.p95).toBeLessThan(5_000);
    expect(readFileSync(join(cli.home, 'cbmon', 'collector.log'), 'utf8')).toMatch(
      /seoul-2: waiting: VM 'seoul-2' is Suspended/,
    );

    // With the collector stopped the store holds still: every sample an agent took (seq 1..N) is
    // in it, exactly once.
    expect(await cli.json('cbmon', ['collector', 'stop'])).toMatchObject({ stopped: true });
    const rows = await statusRows('mon');
    // How many samples of each VM the store holds.
    const countQuery = ['query', 'mon', '--metric', 'load1', '--stat', 'count', '--by', 'vm', '--since', '30m'];
    const counts = await cli.json<QueryResult>('cbmon', countQuery);
    for (const r of rows) {
      expect(r.lost).toBe(0);
      expect(counts.groups.find((g) => g.key === r.vm)?.value).toBe(r.stored);
    }

    // A new collector resumes each agent from its stored cursor: the gap while it was down is filled.
    await cli.json('cbmon', ['collector', 'start', '--listen', pushUrl.replace(/^http:\/\/|\/write$/g, ''), '--evaluate-every', '1s']);
    await until(
      async () =>
        (await statusRows('mon')).every(
          (r) => r.lag === 0 && (r.stored ?? 0) > (rows.find((x) => x.vm === r.vm)?.stored ?? 0) + 2,
        ),
      30_000,
      'caught up after a restart',
    );
    const after = await cli.json<QueryResult>('cbmon', [...countQuery, '--until', '0s']);
    for (const g of after.groups)
      expect(g.value).toBeGreaterThan(counts.groups.find((c) => c.key === g.key)!.value! + 2);
  });
  it('allows one collector per store (exit 5)', async () => {
    const r = await cli.cbmon(['collector', 'serve', '--duration', '1s']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/locked by cbmon collector serve/);
  });

  it('queries the store with groups, steps and a plot', async () => {
    const byVm = await cli.json<QueryResult>('cbmon', words('query mon --metric cpu_utilization --since 5m --by vm --step 10s'));
    expect(byVm.groups.map((g) => g.key)).toEqual(['seoul-1', 'seoul-2', 'tokyo-1']);
    for (const g of byVm.groups) {
      expect(g.value).toBeGreaterThanOrEqual(0);
      expect(g.points.length).toBe(31);
    }
    const table = await cli.cbmon(words('query mon --metric mem_utilization --since 2m --vm seoul-1 --stat max'));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/max\(mem_utilization\) by all/);
    expect(table.stdout).toMatch(/┤.*█/);
    const disks = await cli.json<QueryResult>('cbmon', words('query mon --metric disk_utilization --since 2m --by series --vm tokyo-1'));
    expect(disks.groups[0]!.key).toMatch(/^tokyo-1 .*mount=\//);
  });

  it('query takes the metric names stream takes: a measurement means its headline metric', async () => {
    const [cpu, full] = await Promise.all([
      cli.json<QueryResult & { metric: string }>('cbmon', ['query', 'mon', '--metric', 'cpu', '--since', '2m', '--by', 'vm']),
      cli.json<QueryResult & { metric: string }>('cbmon', ['query', 'mon', '--metric', 'cpu_utilization', '--since', '2m', '--by', 'vm']),
    ]);
    expect(cpu.metric).toBe('cpu_utilization');
    expect(cpu.groups.map((g) => g.key)).toEqual(full.groups.map((g) => g.key));
    const net = await cli.cbmon(['query', 'mon', '--metric', 'net']);
    expect(net.code).toBe(2);
    expect(net.stderr).toMatch(/'net' is a measurement .*bytes_in/s);
  });

  it('check exits 6 when the rule fires (1 stays an error) and 0 when it does not, from the store or the agents', async () => {
    const fired = await cli.cbmon(['check', 'mon', '--rule', 'cpu_utilization >= 0 for 2s', '--json']);
    expect(fired.code).toBe(6);
    const body = JSON.parse(fired.stdout) as {
      fired: boolean;
      source: string;
      series: Array<{ vm: string; fired: boolean }>;
    };
    expect(body).toMatchObject({ fired: true, source: 'store' });
    expect(body.series.filter((s) => s.fired).map((s) => s.vm)).toEqual(['seoul-1', 'seoul-2', 'tokyo-1']);
    expect((await cli.cbmon(['check', 'mon', '--rule', 'cpu_utilization > 1000'])).code).toBe(0);
    const agents = await cli.cbmon([
      'check',
      'mon',
      '--rule',
      'mem_utilization < 0',
      '--since',
      '1m',
      '--source',
      'agents',
      '--json',
    ]);
    expect(JSON.parse(agents.stdout)).toMatchObject({
      fired: false,
      source: 'agents',
      mode: 'window',
      unavailable: [],
    });
    expect(agents.code).toBe(0);
    const one = await cli.cbmon([
      'check',
      'mon',
      '--vm',
      'tokyo-1',
      '--rule',
      'disk_utilization >= 0',
      '--source',
      'agents',
    ]);
    expect(one.code).toBe(6);
    expect(one.stdout).toMatch(/FIRED: disk_utilization >= 0/);
    expect((await cli.cbmon(['check', '--help'])).stdout).toMatch(/6 it fired/);
  });

  it('takes pushes from agents installed with --push', async () => {
    const r = await cli.json<JobResult>('cbmon', [
      'agent',
      'install',
      'edge',
      '--interval',
      '1s',
      '--push',
      pushUrl,
    ]);
    expect(r.vms[0]).toMatchObject({ ok: true, status: { mode: 'push' } });
    await until(
      async () => ((await statusRows('edge'))[0]?.stored ?? 0) >= 2,
      30_000,
      'pushed samples stored',
    );
    const q = await cli.json<QueryResult>('cbmon', words('query edge --metric cpu_utilization --stat count --since 5m'));
    expect(q.groups[0]!.value).toBeGreaterThanOrEqual(2);
    expect((await statusRows('edge'))[0]).toMatchObject({ mode: 'push', lost: 0 });
  });

  it('exports to Prometheus and InfluxDB', async () => {
    const prom = cli.spawnCbmon(words('export prometheus --listen 127.0.0.1:0 --mcis mon --json'));
    const [first] = await readLines(prom, (l) => l.length >= 1);
    const { url } = JSON.parse(first!) as { url: string };
    const text = await (await fetch(url)).text();
    expect(text).toMatch(/^# TYPE cbmon_cpu_utilization gauge$/m);
    expect(text).toMatch(
      /^cbmon_cpu_utilization\{ns="default",mcis="mon",vm="seoul-1",subgroup="seoul",csp="aws",region="ap-northeast-2"\} [\d.]+$/m,
    );
    expect(text).not.toContain('vm="edge-1"');
    prom.kill('SIGTERM');

    const lp = await cli.cbmon(['export', 'influx', '--since', '1m', '--mcis', 'mon']);
    expect(lp.code).toBe(0);
    expect(lp.stdout).toMatch(
      /^cpu,csp=aws,mcis=mon,ns=default,region=ap-northeast-2,subgroup=seoul,vm=seoul-1 cpu_utilization=[\d.]+,.* \d{19}$/m,
    );

    const received: Array<{ url: string; lines: string[] }> = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', lines: b.split('\n').filter(Boolean) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const out = await cli.json<{ samples: number; lines: number }>('cbmon', [
        'export',
        'influx',
        '--url',
        `http://127.0.0.1:${port}`,
        '--db',
        'metrics',
        '--since',
        '1m',
        '--batch',
        '50',
      ]);
      expect(out.samples).toBeGreaterThan(0);
      expect(received.length).toBeGreaterThan(1);
      expect(received[0]!.url).toBe('/write?db=metrics&precision=ns');
      expect(received.flatMap((r) => r.lines).length).toBe(out.lines);
      expect(received[0]!.lines.length).toBeLessThanOrEqual(50 + 20);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('runs alert actions when a rule starts firing', async () => {
    const log = join(cli.home, 'alerts.log');
    appendFileSync(log, '');
    const added = await cli.cbmon([
      'alert',
      'add',
      'always',
      '--rule',
      'cpu_utilization >= 0 for 1s',
      '--mcis',
      'mon',
      '--exec',
      `echo "$CBMON_VM $CBMON_STATUS" >> ${log}`,
    ]);
    expect(added.code).toBe(0);
    await until(
      () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length >= 3,
      30_000,
      'three alert actions',
    );
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual([
      'seoul-1 firing',
      'seoul-2 firing',
      'tokyo-1 firing',
    ]);
    const list = await cli.json<Array<{ name: string; firing: unknown[] }>>('cbmon', ['alert', 'list']);
    expect(list[0]).toMatchObject({ name: 'always' });
    expect(list[0]!.firing).toHaveLength(3);
    expect((await cli.cbmon(['alert', 'add', 'always', '--rule', 'cpu_utilization > 1'])).code).toBe(5);
    expect((await cli.cbmon(['alert', 'remove', 'always'])).code).toBe(0);
  });

  it('watch prints live frames', async () => {
    const r = await cli.cbmon(['watch', 'mon', '--duration', '2000ms']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cbmon watch mon/);
    expect(r.stdout).toMatch(/seoul-1 +│ streaming +│ [\d.]+%/);
  });

  it('stops the collector and uninstalls the agents', async () => {
    expect(await cli.json('cbmon', ['collector', 'stop'])).toMatchObject({ stopped: true });
    expect((await cli.json<Stats>('cbmon', ['collector', 'status'])).running).toBe(false);
    expect(
      (await cli.json<JobResult>('cbmon', ['agent', 'uninstall', 'mon'])).vms.map((v) => v.result),
    ).toEqual(['removed', 'removed', 'removed']);
    expect((await statusRows('mon')).map((r) => r.installed)).toEqual([false, false, false]);
    for (const vm of vms)
      await until(
        () => processesMatching(vm.providerId, '.cbmon/agent.sh').length === 0,
        10_000,
        `${vm.name}'s agent gone`,
      );
    expect(existsSync(join(cli.home, 'cbmon', 'collector.json'))).toBe(false);
  });
});
