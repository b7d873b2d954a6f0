/**
 * The Docker exec transport against the twin's Engine: output and exit codes, variables, stdin,
 * streamed output, timeouts, readiness, and the `docker exec -it` line for users.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationError } from '@cloud-barista/core/errors';
import type { ExecTarget } from '@cloud-barista/core/exec/transport';
import { buildDockerDriver, type DockerDriver } from '../src/docker/index.js';
import { bootTwin, dockerConnection } from './docker-twin.js';

let t: Awaited<ReturnType<typeof bootTwin>>;
let driver: DockerDriver;
let target: ExecTarget;
/** What the create told about pulling the missing image. */
const pulled: string[] = [];

beforeAll(async () => {
  t = await bootTwin();
  driver = buildDockerDriver({ connection: dockerConnection(t.twin), credentials: { kind: 'default-chain' } }, { minDelayMs: 20 });
  const net = await driver.network.ensureDefault({ name: 'cb-exec-test', tags: { 'cb-managed': 'true' } });
  const image = await driver.catalog.resolveImage('alpine-3');
  const vm = await driver.vms.create({
    name: 'box',
    spec: 'c1m1',
    imageId: image.id,
    network: net,
    keyName: 'k',
    publicKey: '',
    sshUser: 'root',
    clientToken: 'exec-test-box',
    tags: { 'cb-managed': 'true' },
    progress: (m) => pulled.push(m),
  });
  target = { vm: 'box', connection: 'twin-docker', provider: 'docker', providerId: vm.providerId };
}, 60_000);

afterAll(async () => {
  driver?.close();
  await t?.cleanup();
});

describe('Docker image pull at create', () => {
  it('pulled the missing image and told its progress', () => {
    expect(pulled[0]).toBe('pulling alpine:3');
    expect(pulled.some((m) => /^alpine:3: \w{12} Pull complete$/.test(m))).toBe(true);
    expect(pulled.at(-1)).toBe('alpine:3: Status: Downloaded newer image for alpine:3');
  });
});

describe('Docker exec transport', () => {
  it('runs a command through the shell with its output, exit code and variables', async () => {
    await driver.exec.ready(target, { maxWaitMs: 10_000 });
    const r = await driver.exec.exec(target, 'echo "out $GREETING"; echo err >&2; exit 3', { env: { GREETING: 'hello world' } });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([3, 'out hello world\n', 'err\n']);
  });

  it('feeds stdin (a string or a stream) and hands output over as it comes', async () => {
    expect((await driver.exec.exec(target, 'tr a-z A-Z', { stdin: 'shout' })).stdout).toBe('SHOUT');
    const seen: string[] = [];
    const r = await driver.exec.exec(target, 'cat; echo done', {
      stdin: Readable.from([Buffer.from('a'), Buffer.from('b')]),
      onStdout: async (c) => {
        seen.push(c.toString('utf8'));
        await new Promise((res) => setTimeout(res, 5));
      },
    });
    expect([r.exitCode, r.stdout, seen.join('')]).toEqual([0, '', 'abdone\n']);
  });

  it('gives up on a command past its timeout, and a stream without output past its idle limit', async () => {
    await expect(driver.exec.exec(target, 'sleep 5', { timeoutMs: 200 })).rejects.toThrow(OperationError);
    await expect(driver.exec.stream(target, 'sleep 5', { onStdout: () => {}, idleTimeoutMs: 200 })).rejects.toThrow(/no output from VM 'box'/);
    const chunks: string[] = [];
    const s = await driver.exec.stream(target, 'for i in 1 2 3; do echo $i; done; echo bad >&2; exit 1', { onStdout: (c) => chunks.push(c.toString('utf8')) });
    expect([s.exitCode, chunks.join(''), s.stderrTail]).toEqual([1, '1\n2\n3\n', 'bad\n']);
  });

  it('tells users the docker exec line, and refuses a VM without a container', async () => {
    const i = await driver.exec.interactive(target);
    expect(i.argv).toEqual(['docker', '-H', t.twin.endpoints.docker, 'exec', '-it', target.providerId!.slice(0, 12), '/bin/sh']);
    await expect(driver.exec.exec({ ...target, providerId: undefined }, 'true')).rejects.toThrow(/VM 'box' has no container yet/);
  });
});
