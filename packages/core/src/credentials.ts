/**
 * Stored credentials: metadata (non-secret) in the state store, secret material in
 * `$CB_HOME/credentials/<name>.json` with mode 0600. Secrets never leave this module except as
 * `CredentialMaterial` handed to a driver.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ConflictError, NotFoundError, OperationError, UsageError } from './errors.js';
import { childPath, writeSecretFile, type HomePaths } from './home.js';
import { nowIso } from './domain.js';
import type { Credential, CredentialMaterial } from './model.js';
import type { ConnectionStore } from './store/state-store.js';

export interface AddCredentialInput {
  name: string;
  provider: string;
  kind: string;
  /** aws-keys */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** aws-profile */
  profile?: string;
  /** gcp-service-account: the key file's JSON text */
  keyJson?: string;
  /** azure-client-secret */
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** alibaba-access-key (with accessKeyId) */
  accessKeySecret?: string;
  /** openstack-password / openstack-app-credential: Keystone's URL (clouds.yaml auth_url, OS_AUTH_URL). */
  authUrl?: string;
  /** openstack-password */
  username?: string;
  password?: string;
  userDomain?: string;
  projectName?: string;
  projectId?: string;
  projectDomain?: string;
  /** openstack-app-credential */
  applicationCredentialId?: string;
  applicationCredentialSecret?: string;
  /** openstack-clouds-yaml: the cloud's name, and the file when not one openstacksdk finds by itself. */
  cloud?: string;
  cloudsFile?: string;
  /** cloudit-password (with username, password and tenantId): the IAM identity endpoint. */
  identityEndpoint?: string;
  /** Replace an existing credential of that name. */
  replace?: boolean;
}

/** Shows enough of an access key id to recognise it, never the whole. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

function missingFields(kind: string, input: AddCredentialInput, fields: [keyof AddCredentialInput, string][], hint: string): void {
  const missing = fields.filter(([k]) => !input[k]).map(([, how]) => how);
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')} for kind ${kind}`, { hint });
}

function checkAuthUrl(url: string, hint = "give Keystone's URL as in clouds.yaml auth_url, e.g. https://keystone.example.com:5000/v3"): void {
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--auth-url '${url}' is not an http(s) URL`, { hint });
}

/** The secret of an OpenStack credential kind; the non-secret parts go to `attributes`. */
function openstackSecret(kind: 'openstack-password' | 'openstack-app-credential' | 'openstack-clouds-yaml', input: AddCredentialInput, attributes: Record<string, string>): CredentialMaterial {
  if (kind === 'openstack-clouds-yaml') {
    missingFields(kind, input, [['cloud', 'the cloud name (--os-cloud or OS_CLOUD)']], 'name a cloud of your clouds.yaml (~/.config/openstack/, /etc/openstack/ or OS_CLIENT_CONFIG_FILE)');
    attributes.cloud = input.cloud!;
    if (input.cloudsFile) attributes.file = input.cloudsFile;
    return { kind, cloud: input.cloud!, ...(input.cloudsFile ? { file: input.cloudsFile } : {}) };
  }
  if (kind === 'openstack-app-credential') {
    missingFields(
      kind,
      input,
      [
        ['authUrl', 'Keystone URL (--auth-url or OS_AUTH_URL)'],
        ['applicationCredentialId', 'application credential id (--application-credential-id or OS_APPLICATION_CREDENTIAL_ID)'],
        ['applicationCredentialSecret', 'secret (--secret-stdin or OS_APPLICATION_CREDENTIAL_SECRET)'],
      ],
      'create one with: openstack application credential create NAME',
    );
    checkAuthUrl(input.authUrl!);
    Object.assign(attributes, { authUrl: input.authUrl!, applicationCredentialId: input.applicationCredentialId! });
    return { kind, authUrl: input.authUrl!, applicationCredentialId: input.applicationCredentialId!, applicationCredentialSecret: input.applicationCredentialSecret! };
  }
  missingFields(
    kind,
    input,
    [
      ['authUrl', 'Keystone URL (--auth-url or OS_AUTH_URL)'],
      ['username', 'user name (--username or OS_USERNAME)'],
      ['password', 'password (--secret-stdin or OS_PASSWORD)'],
    ],
    'the values of your openrc file or clouds.yaml entry',
  );
  if (!input.projectName && !input.projectId) throw new UsageError('missing the project (--project-name or --project-id, OS_PROJECT_NAME / OS_PROJECT_ID) for kind openstack-password', { hint: 'cbadm works in one project: name it' });
  checkAuthUrl(input.authUrl!);
  const userDomain = input.userDomain ?? 'Default';
  const projectDomain = input.projectDomain ?? 'Default';
  Object.assign(attributes, { authUrl: input.authUrl!, username: input.username!, userDomain, projectDomain, ...(input.projectName ? { projectName: input.projectName } : { projectId: input.projectId! }) });
  return {
    kind,
    authUrl: input.authUrl!,
    username: input.username!,
    password: input.password!,
    userDomain,
    projectDomain,
    ...(input.projectName ? { projectName: input.projectName } : {}),
    ...(input.projectId ? { projectId: input.projectId } : {}),
  };
}

export class CredentialService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly home: HomePaths,
  ) {}

  private secretPath(name: string): string {
    return childPath(this.home.credentials, `${name}.json`);
  }

  async add(input: AddCredentialInput): Promise<Credential> {
    // zod loads only when something is validated, not on every CLI start.
    const { Credential, CredentialKind, Name, Provider } = await import('./model.js');
    const name = Name.safeParse(input.name);
    if (!name.success) throw new UsageError(`invalid credential name '${input.name}': ${name.error.issues[0]?.message}`, { issues: [{ path: 'name', message: name.error.issues[0]?.message ?? '' }] });
    const provider = Provider.safeParse(input.provider);
    if (!provider.success) throw new UsageError(`unknown provider '${input.provider}'`, { hint: `use one of: ${Provider.options.join(', ')}` });
    const kind = CredentialKind.safeParse(input.kind);
    if (!kind.success) throw new UsageError(`unknown credential kind '${input.kind}'`, { hint: `use one of: ${CredentialKind.options.join(', ')}` });
    const openstackKind = kind.data.startsWith('openstack-');
    if (openstackKind ? provider.data !== 'openstack' : provider.data === 'openstack' && kind.data !== 'default-chain') {
      throw new UsageError(`kind ${kind.data} does not go with provider ${provider.data}`, {
        hint: provider.data === 'openstack' ? 'use openstack-password, openstack-app-credential, openstack-clouds-yaml or default-chain (the OS_* environment)' : 'openstack-* kinds are for --provider openstack',
      });
    }
    if ((kind.data === 'cloudit-password') !== (provider.data === 'cloudit') && kind.data !== 'default-chain') {
      throw new UsageError(`kind ${kind.data} does not go with provider ${provider.data}`, { hint: provider.data === 'cloudit' ? 'use --kind cloudit-password' : 'cloudit-password is for --provider cloudit' });
    }
    if (!input.replace && this.store.getCredential(input.name)) {
      throw new ConflictError(`credential '${input.name}' already exists`, { hint: 'use --replace to overwrite it, or pick another name' });
    }
    const attributes: Record<string, string> = {};
    let secret: CredentialMaterial;
    if (kind.data === 'aws-keys') {
      const missing = [
        ...(input.accessKeyId ? [] : ['access key id (--access-key-id or AWS_ACCESS_KEY_ID)']),
        ...(input.secretAccessKey ? [] : ['secret access key (--secret-access-key-stdin or AWS_SECRET_ACCESS_KEY)']),
      ];
      if (missing.length) throw new UsageError(`missing ${missing.join(' and ')} for kind aws-keys`);
      attributes.accessKeyId = maskKeyId(input.accessKeyId!);
      secret = {
        kind: 'aws-keys',
        accessKeyId: input.accessKeyId!,
        secretAccessKey: input.secretAccessKey!,
        ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}),
      };
    } else if (kind.data === 'aws-profile') {
      if (!input.profile) throw new UsageError('missing --profile for kind aws-profile', { hint: 'name a profile from ~/.aws/config' });
      attributes.profile = input.profile;
      secret = { kind: 'aws-profile', profile: input.profile };
    } else if (kind.data === 'gcp-service-account') {
      if (!input.keyJson) throw new UsageError('missing --key-file for kind gcp-service-account', { hint: 'pass the JSON key file of the service account' });
      let key: { client_email?: unknown; project_id?: unknown; private_key?: unknown };
      try {
        key = JSON.parse(input.keyJson) as typeof key;
      } catch {
        throw new UsageError('the --key-file is not JSON', { hint: 'pass the service-account key file as downloaded from the Google Cloud console' });
      }
      if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
        throw new UsageError('the --key-file has no client_email or private_key: is it a service-account key?');
      }
      attributes.clientEmail = key.client_email;
      if (typeof key.project_id === 'string') attributes.project = key.project_id;
      secret = { kind: 'gcp-service-account', keyJson: input.keyJson };
    } else if (kind.data === 'azure-client-secret') {
      const missing = (['tenantId', 'clientId', 'clientSecret'] as const).filter((k) => !input[k]);
      if (missing.length) {
        throw new UsageError(`missing ${missing.join(', ')} for kind azure-client-secret`, {
          hint: 'pass --tenant-id and --client-id (or AZURE_TENANT_ID / AZURE_CLIENT_ID) and the secret on stdin (--client-secret-stdin) or AZURE_CLIENT_SECRET',
        });
      }
      attributes.tenantId = input.tenantId!;
      attributes.clientId = input.clientId!;
      secret = { kind: 'azure-client-secret', tenantId: input.tenantId!, clientId: input.clientId!, clientSecret: input.clientSecret! };
    } else if (kind.data === 'alibaba-access-key') {
      if (provider.data !== 'alibaba') throw new UsageError(`kind alibaba-access-key is for provider alibaba, not ${provider.data}`);
      const missing = [
        ...(input.accessKeyId ? [] : ['AccessKey id (--access-key-id or ALIBABA_CLOUD_ACCESS_KEY_ID)']),
        ...(input.accessKeySecret ? [] : ['AccessKey secret (--access-key-secret-stdin or ALIBABA_CLOUD_ACCESS_KEY_SECRET)']),
      ];
      if (missing.length) throw new UsageError(`missing ${missing.join(' and ')} for kind alibaba-access-key`);
      attributes.accessKeyId = maskKeyId(input.accessKeyId!);
      secret = { kind: 'alibaba-access-key', accessKeyId: input.accessKeyId!, accessKeySecret: input.accessKeySecret! };
    } else if (kind.data === 'cloudit-password') {
      missingFields(
        kind.data,
        input,
        [
          ['identityEndpoint', 'the identity endpoint (--auth-url or CLOUDIT_IDENTITY_ENDPOINT)'],
          ['username', 'the user id (--username or CLOUDIT_USERNAME)'],
          ['tenantId', 'the tenant (--tenant-id or CLOUDIT_TENANT_ID)'],
          ['password', 'the password (--secret-stdin or CLOUDIT_PASSWORD)'],
        ],
        'the values CB-Spider\'s Cloudit credential names: IdentityEndpoint, Username, Password, TenantId',
      );
      checkAuthUrl(input.identityEndpoint!, 'give the Cloudit identity endpoint the API paths start under, e.g. https://cloudit.example.kr:9090');
      attributes.identityEndpoint = input.identityEndpoint!;
      attributes.username = input.username!;
      attributes.tenantId = input.tenantId!;
      secret = { kind: 'cloudit-password', identityEndpoint: input.identityEndpoint!, username: input.username!, password: input.password!, tenantId: input.tenantId! };
    } else if (kind.data === 'openstack-password' || kind.data === 'openstack-app-credential' || kind.data === 'openstack-clouds-yaml') {
      secret = openstackSecret(kind.data, input, attributes);
    } else {
      secret = { kind: 'default-chain' };
    }
    const cred = Credential.parse({ name: input.name, provider: provider.data, kind: kind.data, attributes, createdAt: nowIso() });
    writeSecretFile(this.secretPath(cred.name), JSON.stringify(secret));
    this.store.putCredential(cred);
    return cred;
  }

  list(): Credential[] {
    return this.store.listCredentials();
  }

  get(name: string): Credential {
    const c = this.store.getCredential(name);
    if (!c) throw new NotFoundError('credential', name, { hint: 'list them with: cbadm credential list' });
    return c;
  }

  remove(name: string): void {
    this.get(name);
    const users = this.store.listConnections().filter((c) => c.credential === name);
    if (users.length) {
      throw new ConflictError(`credential '${name}' is used by connection(s) ${users.map((c) => c.name).join(', ')}`, {
        hint: 'remove or change those connections first',
      });
    }
    this.store.deleteCredential(name);
    rmSync(this.secretPath(name), { force: true });
  }

  /** Secret material for a driver; `undefined` name means the provider's default chain. */
  material(name: string | undefined): CredentialMaterial {
    if (name === undefined) return { kind: 'default-chain' };
    this.get(name);
    const path = this.secretPath(name);
    if (!existsSync(path)) {
      throw new UsageError(`credential '${name}' has no secret file at ${path}`, { hint: `add it again: cbadm credential add ${name} --replace …` });
    }
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as CredentialMaterial;
    } catch (e) {
      // The parser's message quotes the text around the fault, which is secret material.
      if (!(e instanceof SyntaxError)) throw e;
      throw new OperationError(`credential '${name}': the secret file ${path} is not valid JSON`, {
        hint: `add it again: cbadm credential add ${name} --replace …`,
      });
    }
  }
}
