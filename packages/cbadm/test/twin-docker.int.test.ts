/**
 * End to end on Docker: the built cbadm registers `twin-docker` (the twin's Engine socket, its
 * region the daemon's host name), tests it and lists its sizes at no charge; an MCIS of containers
 * goes create → exec (through the Engine's exec: no sshd) → list → suspend → resume → delete while the
 * real `docker` CLI sees them with their cb-* labels and execs in them; `mcis ssh --print` gives the
 * `docker exec -it` line; and a create SIGKILLed mid-way then run again leaves exactly the containers asked for.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string };
type Vm = { name: string; status: string; providerId: string | null };
type Mcis = { name: string; status: string; vms: Vm[] };

const run = promisify(execFile);
const dockerCli = optionalTool('docker', 'the docker CLI (docker-ce-cli or docker.io)');
const cli = new Cli();
let socket = '';

/** `docker ps -a` on the twin's Engine, as NAME|STATE|LABELS lines. */
async function containers(filter = 'label=cb-managed=true'): Promise<string[]> {
  if (!dockerCli) return [];
  const { stdout } = await run(dockerCli, ['-H', socket, 'ps', '-a', '--filter', filter, '--format', '{{.Names}}|{{.State}}|{{.Label "cb-mcis"}}|{{.Label "cb-vm"}}'], { env: { ...process.env, DOCKER_CONFIG: cli.home } });
  return stdout.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  socket = (await cli.twinStart('100ms')).endpoints.docker!;
});
afterAll(() => cli.dispose());

describe('cbadm with Docker on Cloud-Twin', () => {
  it('twin connect registers twin-docker on the Engine socket; connection test and spec list work', async () => {
    expect(socket).toBe(`unix://${cli.twinDir}/docker.sock`);
    const status = await cli.json<{ endpoints: { docker: string } }>(['twin', 'status']);
    expect(status.endpoints.docker).toBe(socket);
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    const docker = out.connections.filter((c) => c.provider === 'docker');
    expect(docker.map((c) => [c.name, c.endpoint, c.zone])).toEqual([['twin-docker', socket, docker[0]?.region]]);
    expect(docker[0]?.region).toMatch(/\S/);
    const test = await cli.json<{ region: string; account: string }>(['connection', 'test', 'twin-docker']);
    expect(test.region).toBe(docker[0]!.region);
    await cli.json(['catalog', 'update', '--connection', 'twin-docker']);
    const { specs } = await cli.json<{ specs: Array<{ name: string; provider: string; pricePerHour?: number }> }>(['spec', 'list', '--provider', 'docker']);
    expect(specs.find((s) => s.name === 'c1m1')).toMatchObject({ provider: 'docker', pricePerHour: 0 });
  }, 60_000);

  it('runs an MCIS of containers: create, list, suspend, resume, delete; docker sees the cb-* labels', async () => {
    const file = join(cli.home, 'dk.yaml');
    writeFileSync(file, manifestYaml('dk', [{ name: 'box', connection: 'twin-docker', count: 2, spec: 'c1m1', image: 'alpine-3' }]));
    const created = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(created.mcis.status).toBe('Running:2 (R:2/2)');
    const seen = await containers();
    expect(seen.length).toBe(dockerCli ? 2 : 0);
    seen.forEach((line, i) => expect(line).toMatch(new RegExp(`^box-${i + 1}-[0-9a-f]{12}\\|running\\|dk\\|box-${i + 1}$`)));
    // Commands go through the Engine's exec (no sshd in the image); mcis ssh prints the docker line.
    const exec = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', 'dk', '--', 'echo', 'hello-$HOSTNAME']);
    expect(exec.map((r) => [r.vm, r.exitCode, r.stdout.trim()]).sort()).toEqual([
      ['box-1', 0, 'hello-box-1'],
      ['box-2', 0, 'hello-box-2'],
    ]);
    const shell = await cli.json<{ command: string[]; line: string }>(['mcis', 'ssh', 'dk', 'box-1', '--print']);
    expect(shell.command.slice(0, 5)).toEqual(['docker', '-H', socket, 'exec', '-it']);
    if (dockerCli) {
      const id = shell.command[5]!;
      expect((await run(dockerCli, ['-H', socket, 'exec', id, 'sh', '-c', 'echo in-$HOSTNAME'], { env: { ...process.env, DOCKER_CONFIG: cli.home } })).stdout).toBe('in-box-1\n');
    }
    // cbmon reaches containers through the same transport: its agent installs and streams there.
    const cbmon = fileURLToPath(new URL('../../cbmon/bin/run.js', import.meta.url));
    const install = spawnSync(process.execPath, [cbmon, 'agent', 'install', 'dk', '--interval', '1s', '--json'], { env: cli.env, encoding: 'utf8', timeout: 60_000 });
    expect(install.status, install.stderr).toBe(0);
    const stream = spawnSync(process.execPath, [cbmon, 'stream', 'dk', '--metric', 'cpu_utilization', '--json'], { env: cli.env, encoding: 'utf8', timeout: 6_000 });
    const streamed = new Set(stream.stdout.split('\n').flatMap((l) => (l.startsWith('{') ? [(JSON.parse(l) as { vm?: string }).vm] : [])));
    expect([...streamed].sort()).toEqual(['box-1', 'box-2']);
    const listed = await cli.json<Array<{ name: string; status: string }>>(['mcis', 'list']);
    expect(listed.find((m) => m.name === 'dk')?.status).toBe('Running:2 (R:2/2)');
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'suspend', 'dk'])).mcis.status).toBe('Suspended:2 (R:0/2)');
    if (dockerCli) expect((await containers()).map((l) => l.split('|')[1])).toEqual(['exited', 'exited']);
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'resume', 'dk'])).mcis.status).toBe('Running:2 (R:2/2)');
    await cli.json(['mcis', 'delete', 'dk', '--force', '--yes']);
    expect(await containers()).toEqual([]);
  }, 120_000);

  it('a create SIGKILLed after its first container launched, run again, leaves exactly the containers asked for', async () => {
    if (!dockerCli) return;
    const file = join(cli.home, 'kill.yaml');
    writeFileSync(file, manifestYaml('killed', [{ name: 'k', connection: 'twin-docker', count: 3, spec: 'c1m1', image: 'alpine-3' }]));
    // Slow polls: the create is still waiting for its VMs when the test sees the first one and kills it.
    const child = cli.spawnRaw(['mcis', 'create', '-f', file], { CB_POLL_MS: '1000' });
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
    for (let i = 0; i < 600 && (await containers('label=cb-mcis=killed')).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = (await containers('label=cb-mcis=killed')).length;
    expect(atKill).toBeGreaterThanOrEqual(1);
    const again = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(again.mcis.status).toBe('Running:3 (R:3/3)');
    const mine = await containers('label=cb-mcis=killed');
    expect(mine.map((l) => l.split('|')[3])).toEqual(['k-1', 'k-2', 'k-3']);
    await cli.json(['mcis', 'delete', 'killed', '--force', '--yes']);
    expect(await containers()).toEqual([]);
  }, 120_000);
});
