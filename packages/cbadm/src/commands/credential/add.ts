import { Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import type { Credential } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { credentialTable } from './list.js';
import { nameArgs } from '../../flags.js';
import { help } from '../../help.js';

const DEFAULT_KIND: Record<string, string> = { aws: 'aws-keys', gcp: 'gcp-service-account', azure: 'azure-client-secret', alibaba: 'alibaba-access-key', cloudit: 'cloudit-password' };

/**
 * A flag's value unless it only came from another cloud's variable (`--auth-url` reads OS_AUTH_URL,
 * `--tenant-id` AZURE_TENANT_ID…): for Cloudit those are not the source, its own variable is.
 */
function own(flag: string | undefined, foreignEnv: string, ownEnv: string): string | undefined {
  const given = flag !== undefined && flag !== process.env[foreignEnv] ? flag : undefined;
  return given ?? process.env[ownEnv];
}

/** OpenStack's kind from what was given: a clouds.yaml cloud, an application credential, a user, else the OS_* environment. */
function openstackKind(f: { 'os-cloud'?: string | undefined; 'application-credential-id'?: string | undefined; username?: string | undefined }): string {
  if (f['os-cloud']) return 'openstack-clouds-yaml';
  if (f['application-credential-id']) return 'openstack-app-credential';
  return f.username ? 'openstack-password' : 'default-chain';
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --key-file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export default class CredentialAdd extends BaseCommand<typeof CredentialAdd> {
  static override args = nameArgs;
  static override flags = {
    provider: Flags.string({ required: true, summary: 'Cloud provider (aws, gcp, azure, …).' }),
    kind: Flags.option({
      options: ['aws-keys', 'aws-profile', 'gcp-service-account', 'azure-client-secret', 'alibaba-access-key', 'openstack-password', 'openstack-app-credential', 'openstack-clouds-yaml', 'cloudit-password', 'default-chain'] as const,
      summary: 'Credential kind (default: aws-keys for aws, gcp-service-account for gcp, azure-client-secret for azure, alibaba-access-key for alibaba, cloudit-password for cloudit; for openstack from the flags given).',
    })(),
    'access-key-id': Flags.string({ env: 'AWS_ACCESS_KEY_ID', summary: 'AWS access key id, or Alibaba AccessKey id (else ALIBABA_CLOUD_ACCESS_KEY_ID).' }),
    'access-key-secret-stdin': Flags.boolean({ summary: 'Read the Alibaba AccessKey secret from standard input (else ALIBABA_CLOUD_ACCESS_KEY_SECRET).' }),
    'secret-access-key-stdin': Flags.boolean({ summary: 'Read the secret access key from standard input.' }),
    profile: Flags.string({ summary: 'AWS profile name (kind aws-profile).' }),
    'key-file': Flags.string({ summary: 'GCP service-account key file (JSON).', env: 'GOOGLE_APPLICATION_CREDENTIALS' }),
    'tenant-id': Flags.string({ summary: 'Azure tenant id.', env: 'AZURE_TENANT_ID' }),
    'client-id': Flags.string({ summary: 'Azure client (application) id.', env: 'AZURE_CLIENT_ID' }),
    'client-secret-stdin': Flags.boolean({ summary: 'Read the Azure client secret from standard input (else AZURE_CLIENT_SECRET).' }),
    'os-cloud': Flags.string({ summary: 'OpenStack: a cloud of your clouds.yaml (kind openstack-clouds-yaml).', env: 'OS_CLOUD' }),
    'clouds-file': Flags.string({ summary: 'OpenStack: the clouds.yaml to read (default: the ones openstacksdk reads).', env: 'OS_CLIENT_CONFIG_FILE' }),
    'auth-url': Flags.string({ summary: "OpenStack: Keystone's URL.", env: 'OS_AUTH_URL' }),
    username: Flags.string({ summary: 'OpenStack: user name (kind openstack-password).', env: 'OS_USERNAME' }),
    'user-domain': Flags.string({ summary: "OpenStack: the user's domain (default Default).", env: 'OS_USER_DOMAIN_NAME' }),
    'project-name': Flags.string({ summary: 'OpenStack: project to work in.', env: 'OS_PROJECT_NAME' }),
    'project-id': Flags.string({ summary: 'OpenStack: project id (instead of --project-name).', env: 'OS_PROJECT_ID' }),
    'project-domain': Flags.string({ summary: "OpenStack: the project's domain (default Default).", env: 'OS_PROJECT_DOMAIN_NAME' }),
    'application-credential-id': Flags.string({ summary: 'OpenStack: application credential id.', env: 'OS_APPLICATION_CREDENTIAL_ID' }),
    'secret-stdin': Flags.boolean({ summary: 'OpenStack or Cloudit: read the password or application-credential secret from standard input (else OS_PASSWORD / OS_APPLICATION_CREDENTIAL_SECRET / CLOUDIT_PASSWORD).' }),
    replace: Flags.boolean({ summary: 'Overwrite a credential of the same name.' }),
  };

  protected async execute(): Promise<Credential> {
    const f = this.flags;
    const kind = f.kind ?? (f.provider === 'openstack' ? openstackKind(f) : DEFAULT_KIND[f.provider]) ?? 'default-chain';
    // Read first: --secret-stdin serves one kind, and the OpenStack reads below take stdin whatever the kind.
    const clouditPassword = kind === 'cloudit-password' ? await this.secret(f['secret-stdin'], process.env.CLOUDIT_PASSWORD, 'Cloudit password') : undefined;
    const osPassword = await this.secret(f['secret-stdin'], process.env.OS_PASSWORD, kind === 'openstack-password' && 'OpenStack password');
    const osAppSecret = await this.secret(f['secret-stdin'], process.env.OS_APPLICATION_CREDENTIAL_SECRET, kind === 'openstack-app-credential' && 'application credential secret');
    const openstack = kind.startsWith('openstack-')
      ? {
          ...(f['os-cloud'] ? { cloud: f['os-cloud'] } : {}),
          ...(f['clouds-file'] && kind === 'openstack-clouds-yaml' ? { cloudsFile: f['clouds-file'] } : {}),
          ...(f['auth-url'] ? { authUrl: f['auth-url'] } : {}),
          ...(f.username ? { username: f.username } : {}),
          ...(f['user-domain'] ? { userDomain: f['user-domain'] } : {}),
          ...(f['project-name'] ? { projectName: f['project-name'] } : {}),
          ...(f['project-id'] ? { projectId: f['project-id'] } : {}),
          ...(f['project-domain'] ? { projectDomain: f['project-domain'] } : {}),
          ...(f['application-credential-id'] ? { applicationCredentialId: f['application-credential-id'] } : {}),
          ...(kind === 'openstack-password' && osPassword ? { password: osPassword } : {}),
          ...(kind === 'openstack-app-credential' && osAppSecret ? { applicationCredentialSecret: osAppSecret } : {}),
        }
      : {};
    const cloudit =
      kind === 'cloudit-password'
        ? {
            ...(own(f['auth-url'], 'OS_AUTH_URL', 'CLOUDIT_IDENTITY_ENDPOINT') ? { identityEndpoint: own(f['auth-url'], 'OS_AUTH_URL', 'CLOUDIT_IDENTITY_ENDPOINT') } : {}),
            ...(own(f.username, 'OS_USERNAME', 'CLOUDIT_USERNAME') ? { username: own(f.username, 'OS_USERNAME', 'CLOUDIT_USERNAME') } : {}),
            ...(own(f['tenant-id'], 'AZURE_TENANT_ID', 'CLOUDIT_TENANT_ID') ? { tenantId: own(f['tenant-id'], 'AZURE_TENANT_ID', 'CLOUDIT_TENANT_ID') } : {}),
            ...(clouditPassword ? { password: clouditPassword } : {}),
          }
        : {};
    const secret = await this.secret(this.flags['secret-access-key-stdin'], process.env.AWS_SECRET_ACCESS_KEY, kind === 'aws-keys' && 'AWS secret access key');
    const clientSecret = await this.secret(this.flags['client-secret-stdin'], process.env.AZURE_CLIENT_SECRET, kind === 'azure-client-secret' && 'Azure client secret');
    const keyFile = kind === 'gcp-service-account' ? this.flags['key-file'] : undefined;
    const alibaba = kind === 'alibaba-access-key';
    const accessKeySecret = await this.secret(this.flags['access-key-secret-stdin'], process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, alibaba && 'Alibaba AccessKey secret');
    // --access-key-id also reads AWS_ACCESS_KEY_ID: for an Alibaba key, that variable is not the source.
    const keyIdFlag = this.flags['access-key-id'];
    const keyIdGiven = keyIdFlag !== undefined && keyIdFlag !== process.env.AWS_ACCESS_KEY_ID ? keyIdFlag : undefined;
    const accessKeyId = alibaba ? (keyIdGiven ?? process.env.ALIBABA_CLOUD_ACCESS_KEY_ID) : keyIdFlag;
    return (await this.core()).credentials.add({
      name: this.args.name,
      provider: this.flags.provider,
      kind,
      ...(keyFile ? { keyJson: readKeyFile(keyFile) } : {}),
      ...(this.flags['tenant-id'] && kind === 'azure-client-secret' ? { tenantId: this.flags['tenant-id'] } : {}),
      ...(this.flags['client-id'] ? { clientId: this.flags['client-id'] } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      replace: this.flags.replace,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(accessKeySecret ? { accessKeySecret } : {}),
      ...(secret ? { secretAccessKey: secret } : {}),
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
      ...(this.flags.profile ? { profile: this.flags.profile } : {}),
      ...openstack,
      ...cloudit,
    });
  }

  /**
   * A secret from standard input (--…-stdin), else its environment variable, else — on a terminal,
   * when the kind needs it — asked for with hidden input. A terminal is never read as a pipe.
   */
  private async secret(fromStdin: boolean, env: string | undefined, needed: string | false): Promise<string | undefined> {
    if (fromStdin && !process.stdin.isTTY) return readFileSync(0, 'utf8').trim();
    if (!fromStdin && env) return env;
    if (needed && this.canAsk) return this.askSecret(`${needed} (not shown):`);
    return undefined;
  }

  protected override table(c: Credential): string {
    return credentialTable([c]);
  }
}
help(CredentialAdd, 'credential add');
