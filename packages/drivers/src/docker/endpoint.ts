/**
 * Which Docker daemon a connection means, found the way the docker CLI finds it: the connection's
 * context (`--context`, read from `$DOCKER_CONFIG/contexts/meta/<sha256>/meta.json` and its TLS files),
 * else its endpoint (a `DOCKER_HOST` value), else the environment (`DOCKER_HOST`, `DOCKER_CONTEXT`),
 * else the current context of `config.json`, else the local socket. `tcp://` with
 * `DOCKER_TLS_VERIFY` uses `DOCKER_CERT_PATH`'s ca/cert/key.pem; `ssh://user@host` runs
 * `docker system dial-stdio` there (docker-modem over ssh2).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import type { Connection } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface DockerEndpoint {
  /** The `DOCKER_HOST`-style URL. */
  host: string;
  /** What named it, for messages: `context lab`, `DOCKER_HOST`, `the connection's endpoint`… */
  via: string;
  tls?: TlsFiles;
}

type Env = Record<string, string | undefined>;

function configDir(env: Env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

function readTls(dir: string): TlsFiles | undefined {
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : undefined);
  const tls = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  return tls.ca || tls.cert || tls.key ? tls : undefined;
}

/** A named context's endpoint (`default` is the environment's or the local socket). */
export function contextEndpoint(name: string, env: Env): DockerEndpoint {
  if (name === 'default') return { host: env.DOCKER_HOST || DEFAULT_HOST, via: 'context default' };
  const dir = configDir(env);
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(dir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as typeof meta;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Docker context '${name}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${metaFile})`}`, {
      hint: `list the contexts with: docker context ls (looked in ${join(dir, 'contexts')}; DOCKER_CONFIG moves it)`,
    });
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new UsageError(`Docker context '${name}' has no docker endpoint`, { hint: `set one: docker context update ${name} --docker host=…` });
  const tls = readTls(join(dir, 'contexts', 'tls', id, 'docker'));
  return { host, via: `context ${name}`, ...(tls ? { tls } : {}) };
}

/** TLS material for a tcp:// host from the environment, when DOCKER_TLS_VERIFY asks for it. */
function envTls(env: Env): TlsFiles | undefined {
  if (!env.DOCKER_TLS_VERIFY) return undefined;
  return readTls(env.DOCKER_CERT_PATH || configDir(env));
}

export function resolveEndpoint(connection: Pick<Connection, 'endpoint' | 'context'>, env: Env = process.env): DockerEndpoint {
  if (connection.context) return contextEndpoint(connection.context, env);
  if (connection.endpoint) return withEnvTls({ host: connection.endpoint, via: "the connection's endpoint" }, env);
  if (env.DOCKER_HOST) return withEnvTls({ host: env.DOCKER_HOST, via: 'DOCKER_HOST' }, env);
  if (env.DOCKER_CONTEXT) return contextEndpoint(env.DOCKER_CONTEXT, env);
  try {
    const config = JSON.parse(readFileSync(join(configDir(env), 'config.json'), 'utf8')) as { currentContext?: string };
    if (config.currentContext) return contextEndpoint(config.currentContext, env);
  } catch {
    // no config.json: the local socket
  }
  return { host: DEFAULT_HOST, via: 'the local socket' };
}

function withEnvTls(ep: DockerEndpoint, env: Env): DockerEndpoint {
  const tls = ep.host.startsWith('tcp://') ? envTls(env) : undefined;
  return tls ? { ...ep, tls } : ep;
}

/** dockerode's options for an endpoint; a scheme it cannot reach is a UsageError naming the value. */
export function modemOptions(ep: DockerEndpoint, env: Env = process.env): DockerOptions {
  let url: URL;
  try {
    url = new URL(ep.host);
  } catch {
    throw new UsageError(`Docker host '${ep.host}' (${ep.via}) is not a URL`, { hint: 'use unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST' });
  }
  switch (url.protocol) {
    case 'unix:':
    case 'npipe:':
      return { socketPath: decodeURIComponent(url.pathname) };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = url.protocol === 'https:' || ep.tls !== undefined;
      return {
        host: url.hostname,
        port: Number(url.port || (tls ? 2376 : 2375)),
        protocol: tls ? 'https' : 'http',
        ...(ep.tls?.ca ? { ca: ep.tls.ca } : {}),
        ...(ep.tls?.cert ? { cert: ep.tls.cert } : {}),
        ...(ep.tls?.key ? { key: ep.tls.key } : {}),
      };
    }
    case 'ssh:':
      return {
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port || 22),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(env.SSH_AUTH_SOCK ? { sshOptions: { agent: env.SSH_AUTH_SOCK } } : {}),
      };
    default:
      throw new UsageError(`Docker host '${ep.host}' (${ep.via}) has an unsupported scheme '${url.protocol}'`, { hint: 'use unix://, tcp:// or ssh://' });
  }
}
