/**
 * Where an OpenStack connection's identity comes from, the ways OpenStack users already keep it:
 * a stored password or application credential, a cloud of a clouds.yaml (the files and order
 * openstacksdk reads: OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/,
 * /etc/openstack/, with secure.yaml beside it), or the OS_* variables an openrc file exports
 * (OS_CLOUD naming a clouds.yaml entry wins). The result is one Keystone v3 auth request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Connection, CredentialMaterial } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { parse as parseYaml } from 'yaml';

export interface OsAuthConfig {
  /** Keystone's URL, with or without /v3. */
  authUrl: string;
  /** The `auth` member of POST /v3/auth/tokens. */
  request: Record<string, unknown>;
  /** The secrets in it, so messages can be scrubbed. */
  secrets: string[];
  /** Region, interface and CA a clouds.yaml or openrc may name. */
  region?: string;
  interface?: string;
  caFile?: string;
}

type Env = Record<string, string | undefined>;

/** The clouds.yaml files openstacksdk reads, in its order. */
export function cloudsYamlPaths(env: Env = process.env): string[] {
  return [env.OS_CLIENT_CONFIG_FILE, join(process.cwd(), 'clouds.yaml'), join(homedir(), '.config', 'openstack', 'clouds.yaml'), '/etc/openstack/clouds.yaml'].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
}

interface CloudEntry {
  auth?: Record<string, string | undefined>;
  auth_type?: string;
  region_name?: string;
  interface?: string;
  cacert?: string;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof out[k] === 'object' ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The named cloud of the first clouds.yaml that has it, with its secure.yaml merged in. */
export function readCloud(name: string, file?: string, env: Env = process.env): { entry: CloudEntry; file: string } {
  const files = file ? [file] : cloudsYamlPaths(env);
  for (const f of files) {
    if (!existsSync(f)) continue;
    let doc: { clouds?: Record<string, CloudEntry> };
    try {
      doc = (parseYaml(readFileSync(f, 'utf8')) ?? {}) as typeof doc;
    } catch (e) {
      throw new UsageError(`${f} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    const entry = doc.clouds?.[name];
    if (!entry) continue;
    const secure = join(dirname(f), 'secure.yaml');
    const extra: Record<string, unknown> = existsSync(secure) ? ((parseYaml(readFileSync(secure, 'utf8')) as { clouds?: Record<string, Record<string, unknown>> } | null)?.clouds?.[name] ?? {}) : {};
    return { entry: deepMerge(entry as Record<string, unknown>, extra), file: f };
  }
  throw new UsageError(`no cloud '${name}' in ${files.length ? files.join(', ') : 'any clouds.yaml'}`, {
    hint: 'name a cloud of your clouds.yaml (--os-cloud NAME), or point OS_CLIENT_CONFIG_FILE at the file that has it',
  });
}

const domainOf = (id?: string, name?: string) => (id ? { id } : { name: name ?? 'Default' });

/** A Keystone auth request from clouds.yaml-style fields (`auth:` of a cloud, or OS_* variables). */
function fromFields(a: Record<string, string | undefined>, authType: string | undefined, where: string): OsAuthConfig {
  const authUrl = a.auth_url;
  if (!authUrl) throw new UsageError(`${where}: auth_url is missing`, { hint: 'set auth.auth_url (OS_AUTH_URL) to the Keystone URL, e.g. https://keystone.example.com:5000/v3' });
  if (authType === 'v3applicationcredential' || a.application_credential_id || a.application_credential_secret) {
    if (!a.application_credential_secret || !(a.application_credential_id || a.application_credential_name)) {
      throw new UsageError(`${where}: an application credential needs application_credential_id (or _name with the user) and application_credential_secret`);
    }
    const user = a.username || a.user_id ? { ...(a.user_id ? { id: a.user_id } : { name: a.username, domain: domainOf(a.user_domain_id, a.user_domain_name) }) } : undefined;
    return {
      authUrl,
      request: { identity: { methods: ['application_credential'], application_credential: { ...(a.application_credential_id ? { id: a.application_credential_id } : { name: a.application_credential_name, user }), secret: a.application_credential_secret } } },
      secrets: [a.application_credential_secret],
    };
  }
  if (!a.password || !(a.username || a.user_id)) throw new UsageError(`${where}: a password credential needs username (or user_id) and password`);
  if (!a.project_id && !a.project_name) throw new UsageError(`${where}: project_name or project_id is missing`, { hint: 'cbadm works in one project: name it (OS_PROJECT_NAME / auth.project_name)' });
  const user = a.user_id ? { id: a.user_id } : { name: a.username, domain: domainOf(a.user_domain_id, a.user_domain_name ?? a.domain_name) };
  const project = a.project_id ? { id: a.project_id } : { name: a.project_name, domain: domainOf(a.project_domain_id, a.project_domain_name ?? a.domain_name) };
  return { authUrl, request: { identity: { methods: ['password'], password: { user: { ...user, password: a.password } } }, scope: { project } }, secrets: [a.password] };
}

/** The OS_* variables of an openrc, as clouds.yaml fields. */
function envFields(env: Env): Record<string, string | undefined> {
  const keys = ['auth_url', 'username', 'user_id', 'password', 'project_name', 'project_id', 'user_domain_name', 'user_domain_id', 'project_domain_name', 'project_domain_id', 'domain_name', 'application_credential_id', 'application_credential_name', 'application_credential_secret'];
  // openrc files of old deployments use OS_TENANT_NAME for the project.
  return { ...Object.fromEntries(keys.map((k) => [k, env[`OS_${k.toUpperCase()}`]])), project_name: env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME };
}

function fromCloud(name: string, file: string | undefined, env: Env): OsAuthConfig {
  const { entry, file: found } = readCloud(name, file, env);
  const cfg = fromFields(entry.auth ?? {}, entry.auth_type, `cloud '${name}' in ${found}`);
  return { ...cfg, ...(entry.region_name ? { region: entry.region_name } : {}), ...(entry.interface ? { interface: entry.interface } : {}), ...(entry.cacert ? { caFile: entry.cacert } : {}) };
}

/** The Keystone request for a connection; the connection's endpoint, when set, is the auth URL. */
export function resolveAuth(connection: Connection, cred: CredentialMaterial, env: Env = process.env): OsAuthConfig {
  let cfg: OsAuthConfig;
  switch (cred.kind) {
    case 'openstack-password':
      cfg = fromFields(
        { auth_url: cred.authUrl, username: cred.username, password: cred.password, user_domain_name: cred.userDomain, project_name: cred.projectName, project_id: cred.projectId, project_domain_name: cred.projectDomain },
        'password',
        `credential of connection '${connection.name}'`,
      );
      break;
    case 'openstack-app-credential':
      cfg = fromFields({ auth_url: cred.authUrl, application_credential_id: cred.applicationCredentialId, application_credential_secret: cred.applicationCredentialSecret }, 'v3applicationcredential', `credential of connection '${connection.name}'`);
      break;
    case 'openstack-clouds-yaml':
      cfg = fromCloud(cred.cloud, cred.file, env);
      break;
    case 'default-chain':
      if (env.OS_CLOUD) cfg = fromCloud(env.OS_CLOUD, undefined, env);
      else {
        cfg = fromFields(envFields(env), env.OS_AUTH_TYPE, 'the OS_* environment (openrc)');
        if (env.OS_INTERFACE) cfg.interface = env.OS_INTERFACE;
        if (env.OS_CACERT) cfg.caFile = env.OS_CACERT;
      }
      break;
    default:
      throw new UsageError(`a ${cred.kind} credential cannot be used with OpenStack`, {
        hint: 'use an openstack-password, openstack-app-credential or openstack-clouds-yaml credential, or the OS_* environment of an openrc file',
      });
  }
  return connection.endpoint ? { ...cfg, authUrl: connection.endpoint } : cfg;
}
