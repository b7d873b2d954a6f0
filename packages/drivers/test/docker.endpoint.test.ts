/**
 * Which Docker daemon a connection means (contexts, DOCKER_HOST, TLS from DOCKER_CERT_PATH, ssh://)
 * and what the catalog offers a host (sizes bounded by /info, images, states).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '@cloud-barista/core/errors';
import { checkSpec, sizesFor, specOf } from '../src/docker/catalog.js';
import { dockerError } from '../src/docker/errors.js';
import { DEFAULT_HOST, modemOptions, resolveEndpoint } from '../src/docker/endpoint.js';
import { containerName } from '../src/docker/instances.js';
import { nativeStateOf, toVmStatus } from '../src/docker/states.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-docker-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context as `docker context create NAME --docker host=…` writes it. */
function writeContext(name: string, host: string, tls = false): void {
  const id = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
  writeFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (tls) {
    mkdirSync(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, 'contexts', 'tls', id, 'docker', f), `${f} of ${name}`);
  }
}

describe('Docker endpoint resolution', () => {
  const env = { DOCKER_CONFIG: dir };
  writeContext('lab', 'tcp://lab.example:2376', true);
  writeContext('remote', 'ssh://ops@build-box:2222');

  it('reads a named context, with its TLS files', () => {
    const ep = resolveEndpoint({ context: 'lab' }, env);
    expect(ep.host).toBe('tcp://lab.example:2376');
    expect(ep.via).toBe('context lab');
    const o = modemOptions(ep, env);
    expect(o).toMatchObject({ host: 'lab.example', port: 2376, protocol: 'https' });
    expect((o.key as Buffer).toString('utf8')).toBe('key.pem of lab');
  });

  it('turns ssh:// into docker-modem ssh options with the agent', () => {
    const o = modemOptions(resolveEndpoint({ context: 'remote' }, env), { SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(o).toMatchObject({ protocol: 'ssh', host: 'build-box', port: 2222, username: 'ops', sshOptions: { agent: '/tmp/agent.sock' } });
  });

  it('a missing context is a UsageError that says how to list them', () => {
    expect(() => resolveEndpoint({ context: 'nope' }, env)).toThrow(UsageError);
    expect(() => resolveEndpoint({ context: 'nope' }, env)).toThrow(/Docker context 'nope' does not exist/);
  });

  it('the connection endpoint, then DOCKER_HOST (TLS when DOCKER_TLS_VERIFY), DOCKER_CONTEXT, the current context, the local socket', () => {
    expect(resolveEndpoint({ endpoint: 'unix:///run/user/1000/podman/podman.sock' }, env).host).toBe('unix:///run/user/1000/podman/podman.sock');
    expect(modemOptions(resolveEndpoint({ endpoint: 'unix:///run/x.sock' }, env))).toEqual({ socketPath: '/run/x.sock' });
    const certs = join(dir, 'certs');
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'ca.pem'), 'env ca');
    const tlsEnv = { ...env, DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    const fromEnv = resolveEndpoint({}, tlsEnv);
    expect(fromEnv).toMatchObject({ host: 'tcp://10.0.0.5:2376', via: 'DOCKER_HOST' });
    expect(modemOptions(fromEnv)).toMatchObject({ protocol: 'https', port: 2376 });
    expect(modemOptions(resolveEndpoint({}, { ...env, DOCKER_HOST: 'tcp://10.0.0.5:2375' }))).toMatchObject({ protocol: 'http', port: 2375 });
    expect(resolveEndpoint({}, { ...env, DOCKER_CONTEXT: 'lab' }).via).toBe('context lab');
    expect(resolveEndpoint({}, env)).toEqual({ host: DEFAULT_HOST, via: 'the local socket' });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    expect(resolveEndpoint({}, env).via).toBe('context remote');
    expect(() => modemOptions({ host: 'ftp://x', via: 'test' })).toThrow(/unsupported scheme 'ftp:'/);
  });
});

describe('Docker catalog and states', () => {
  const host = { Name: 'box', NCPU: 4, MemTotal: 8 * 1024 ** 3 - 300 * 1024 ** 2 };

  it('offers sizes up to what the host has, priced 0 unless a price file says otherwise', () => {
    const sizes = sizesFor(host, { c2m4: 0.01 });
    expect(sizes.map((s) => s.name)).toEqual(['c1m1', 'c1m2', 'c1m4', 'c2m4']);
    expect(sizes.find((s) => s.name === 'c2m4')?.pricePerHour).toBe(0.01);
    expect(sizes.find((s) => s.name === 'c1m1')?.pricePerHour).toBe(0);
    expect(checkSpec('c3m2', host)).toEqual({ cpus: 3, memoryGiB: 2 });
    expect(() => checkSpec('c8m16', host)).toThrow(/does not fit Docker host box \(4 CPUs/);
    expect(() => checkSpec('t3.micro', host)).toThrow(/not a Docker size/);
    expect(specOf(2e9, 4 * 1024 ** 3)).toBe('c2m4');
  });

  it('maps container states (suspend is stop: exited is Suspended)', () => {
    expect(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'weird'].map(toVmStatus)).toEqual(['Creating', 'Running', 'Suspended', 'Rebooting', 'Suspended', 'Failed', 'Undefined']);
    expect(nativeStateOf({ Status: 'exited', ExitCode: 137 })).toBe('exited (137)');
  });

  it('names containers after the VM and its client token, the same every time', () => {
    expect(containerName('web-1', 'tok-a')).toBe(containerName('web-1', 'tok-a'));
    expect(containerName('web-1', 'tok-a')).not.toBe(containerName('web-1', 'tok-b'));
    expect(containerName('web-1', 'tok-a')).toMatch(/^web-1-[0-9a-f]{12}$/);
  });

  it('reads the Engine errors as docker-modem hands them over', () => {
    const missing = dockerError({ statusCode: 404, json: { message: 'No such container: web-1' }, message: '(HTTP code 404) no such container' });
    expect([missing.code, missing.errorClass, missing.retryable, missing.message]).toEqual(['NoSuchContainer', 'not-found', false, 'docker: NoSuchContainer: No such container: web-1']);
    const inUse = dockerError({ statusCode: 409, json: { message: 'Conflict. The container name "/x" is already in use by container "abc".' } });
    expect([inUse.code, inUse.errorClass]).toEqual(['NameInUse', 'conflict']);
    const down = dockerError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }));
    expect([down.code, down.errorClass, down.retryable]).toEqual(['ENOENT', 'unavailable', true]);
    expect(down.hint).toContain('DOCKER_HOST');
    expect(dockerError({ statusCode: 429, json: { message: 'toomanyrequests' } }).errorClass).toBe('throttled');
  });
});
