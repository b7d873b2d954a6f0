/**
 * The twin's Docker Engine API, driven by the real `docker` CLI over the Unix socket and by raw
 * HTTP (version prefixes, the daemon's error bodies, /info, the TCP listener), and a twin restart
 * bringing an `unless-stopped` container back.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { startTestTwin, type TestTwin } from '../../test/helpers.js';

const run = promisify(execFile);
const dockerCli = optionalTool('docker', 'the docker CLI (docker-ce-cli or docker.io)');

let t: TestTwin;
let socket: string;

function call(method: string, path: string, body?: unknown, target: { socketPath?: string; port?: number } = { socketPath: socket }): Promise<{ status: number; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...target, host: '127.0.0.1', method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const docker = async (...args: string[]) => {
  try {
    const r = await run(dockerCli!, ['-H', t.twin.endpoints.docker, ...args], { env: { ...process.env, DOCKER_CONFIG: t.stateDir } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

beforeAll(async () => {
  t = await startTestTwin();
  socket = new URL(t.twin.endpoints.docker).pathname;
});

afterAll(async () => {
  await t?.cleanup();
});

describe('Docker Engine API over HTTP', () => {
  it('answers ping, version (with and without a version prefix) and info; refuses a too-new API version', async () => {
    expect(t.twin.endpoints.docker).toBe(`unix://${t.stateDir}/docker.sock`);
    expect((await call('GET', '/_ping')).text).toBe('OK');
    const v = await call('GET', '/v1.41/version');
    expect(v.json).toMatchObject({ ApiVersion: '1.43', Os: 'linux' });
    const info = (await call('GET', '/info')).json as { NCPU: number; MemTotal: number; Name: string };
    expect(info.NCPU).toBeGreaterThan(0);
    expect(info.MemTotal).toBeGreaterThan(0);
    expect(info.Name).toBe(t.twin.status().docker.host);
    const tooNew = await call('GET', '/v1.99/version');
    expect(tooNew.status).toBe(400);
    expect(tooNew.json).toEqual({ message: 'client version 1.99 is too new. Maximum supported API version is 1.43' });
    // The same API on the loopback TCP port.
    const port = Number(t.twin.status().docker.tcp.split(':').pop());
    expect((await call('GET', '/_ping', undefined, { port })).text).toBe('OK');
  });

  it('answers as the Engine does when something is missing or refused', async () => {
    expect(await call('GET', '/containers/nope/json')).toMatchObject({ status: 404, json: { message: 'No such container: nope' } });
    expect(await call('POST', '/containers/create', { Image: 'never-pulled:1' })).toMatchObject({ status: 404, json: { message: 'No such image: never-pulled:1' } });
    await call('POST', '/images/create?fromImage=alpine&tag=3');
    const ncpu = ((await call('GET', '/info')).json as { NCPU: number }).NCPU;
    const tooBig = await call('POST', '/containers/create', { Image: 'alpine:3', HostConfig: { NanoCpus: (ncpu + 1) * 1e9 } });
    expect(tooBig.status).toBe(400);
    expect((tooBig.json as { message: string }).message).toContain(`only ${ncpu} CPUs available`);
    const made = await call('POST', '/containers/create?name=twice', { Image: 'alpine:3' });
    expect(made.status).toBe(201);
    const again = await call('POST', '/containers/create?name=twice', { Image: 'alpine:3' });
    expect(again.status).toBe(409);
    expect((again.json as { message: string }).message).toContain('The container name "/twice" is already in use');
    expect((await call('DELETE', '/containers/twice')).status).toBe(204);
  });

  it('takes fault rules by Engine operation id (docker:ContainerCreate…), spent after their count', async () => {
    t.twin.faults.set(['docker:ContainerCreate:ServiceUnavailable:1#1']);
    const failed = await call('POST', '/containers/create', { Image: 'alpine:3' });
    expect(failed).toMatchObject({ status: 500, json: { message: 'ServiceUnavailable' } });
    const made = await call('POST', '/containers/create', { Image: 'alpine:3' });
    expect(made.status).toBe(201);
    expect((await call('DELETE', `/containers/${(made.json as { Id: string }).Id}`)).status).toBe(204);
    t.twin.faults.set([]);
  });
});

describe.skipIf(!dockerCli)('the real docker CLI against the twin', () => {
  it('pulls with progress, runs a labelled, limited container on a user-defined bridge, and lists it by label', async () => {
    const pull = await docker('pull', 'ubuntu:22.04');
    expect(pull.code).toBe(0);
    expect(pull.stdout).toMatch(/Pull complete/);
    expect(pull.stdout).toMatch(/Downloaded newer image for ubuntu:22.04/);
    expect((await docker('network', 'create', '--label', 'cb-managed=true', 'cb-net')).code).toBe(0);
    const started = await docker(
      'run', '-d', '--name', 'web-1', '--label', 'cb-managed=true', '--label', 'cb-vm=web-1', '--network', 'cb-net',
      '--cpus', '1', '--memory', '256m', '--restart', 'unless-stopped', 'ubuntu:22.04', 'sleep', '600',
    );
    expect(started.stderr).toBe('');
    const ps = await docker('ps', '--filter', 'label=cb-managed=true', '--format', '{{.Names}} {{.State}} {{.Labels}}');
    expect(ps.stdout.trim()).toMatch(/^web-1 running .*cb-vm=web-1/);
    const inspect = await docker('inspect', '-f', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.NetworkSettings.Networks}}', 'web-1');
    expect(inspect.stdout).toMatch(/^1000000000 268435456 unless-stopped map\[cb-net:/);
  });

  it('execs real commands: output, stderr, exit codes and stdin', async () => {
    const uname = await docker('exec', 'web-1', 'uname', '-a');
    expect(uname.code).toBe(0);
    expect(uname.stdout).toMatch(/^Linux /);
    const failing = await docker('exec', 'web-1', 'sh', '-c', 'echo to-stderr >&2; exit 7');
    expect(failing.code).toBe(7);
    expect(failing.stderr).toContain('to-stderr');
    const echoed = await run('sh', ['-c', `printf 'from stdin' | "$0" -H "$1" exec -i web-1 cat`, dockerCli!, t.twin.endpoints.docker]);
    expect(echoed.stdout).toBe('from stdin');
  });

  it('stops, refuses to remove a running container or a network in use, removes with -f', async () => {
    await docker('run', '-d', '--name', 'other', '--network', 'cb-net', 'ubuntu:22.04', 'sleep', '600');
    const rm = await docker('rm', 'other');
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain('container is running: stop the container before removing or force remove');
    expect((await docker('network', 'rm', 'cb-net')).stderr).toContain('has active endpoints');
    expect((await docker('stop', 'other')).code).toBe(0);
    expect((await docker('ps', '-a', '--filter', 'name=other', '--format', '{{.Status}}')).stdout).toMatch(/^Exited/);
    expect((await docker('rm', 'other')).code).toBe(0);
    expect((await docker('inspect', 'other')).stderr).toMatch(/No such object: other/);
  });

  it('keeps a container\'s output for logs, waits for its exit, pauses, unpauses, restarts and kills', async () => {
    await docker('run', '-d', '--name', 'talker', 'alpine:3', 'sh', '-c', 'echo said; echo moaned >&2; exit 4');
    expect((await docker('wait', 'talker')).stdout.trim()).toBe('4');
    const logs = await docker('logs', 'talker');
    expect([logs.stdout, logs.stderr]).toEqual(['said\n', 'moaned\n']);
    expect((await docker('rm', 'talker')).code).toBe(0);
    await docker('run', '-d', '--name', 'sleeper', 'alpine:3', 'sleep', '600');
    const state = async () => (await docker('inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', 'sleeper')).stdout.trim();
    await docker('pause', 'sleeper');
    expect(await state()).toBe('paused 0 0');
    expect((await docker('exec', 'sleeper', 'true')).stderr).toContain('is paused, unpause the container before exec');
    await docker('unpause', 'sleeper');
    expect((await docker('restart', '-t', '1', 'sleeper')).code).toBe(0);
    expect(await state()).toMatch(/^running /);
    await docker('kill', 'sleeper');
    expect(await state()).toBe('exited 0 137');
    expect((await docker('rm', 'sleeper')).code).toBe(0);
  });

  it('brings an unless-stopped container back after a twin restart', async () => {
    const { stateDir } = t;
    await t.twin.close();
    t = await startTestTwin({ stateDir });
    const ps = await docker('ps', '--format', '{{.Names}} {{.State}}');
    expect(ps.stdout.trim()).toBe('web-1 running');
    expect((await docker('exec', 'web-1', 'echo', 'back')).stdout).toBe('back\n');
    expect((await docker('rm', '-f', 'web-1')).code).toBe(0);
    expect((await docker('network', 'rm', 'cb-net')).code).toBe(0);
  });
});
