import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import type { Credential } from '@cloud-barista/core';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { credentialTable } from './list.js';

const DEFAULT_KIND: Record<string, string> = { aws: 'aws-keys', gcp: 'gcp-service-account', azure: 'azure-client-secret', alibaba: 'alibaba-access-key' };

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --key-file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export default class CredentialAdd extends BaseCommand<typeof CredentialAdd> {
  static override summary = 'Store a credential (secret kept in a 0600 file, never printed).';
  static override description =
    'Kinds: aws-keys (access key id + secret; read from --secret-access-key-stdin or AWS_SECRET_ACCESS_KEY, never from a flag, so it stays out of shell history), aws-profile (a profile in ~/.aws), gcp-service-account (--key-file), azure-client-secret (--tenant-id, --client-id, secret from --client-secret-stdin or AZURE_CLIENT_SECRET), alibaba-access-key (--access-key-id or ALIBABA_CLOUD_ACCESS_KEY_ID, secret from --access-key-secret-stdin or ALIBABA_CLOUD_ACCESS_KEY_SECRET), default-chain (the provider\'s standard chain: for alibaba the ALIBABA_CLOUD_* variables, ~/.aliyun/config.json and ~/.alibabacloud/credentials profiles, ALIBABA_CLOUD_PROFILE).';
  static override examples = [
    'AWS_ACCESS_KEY_ID=AKIA… AWS_SECRET_ACCESS_KEY=… <%= config.bin %> credential add my-aws --provider aws --kind aws-keys',
    'printf %s "$SECRET" | <%= config.bin %> credential add my-aws --provider aws --kind aws-keys --access-key-id AKIA… --secret-access-key-stdin',
    '<%= config.bin %> credential add work --provider aws --kind aws-profile --profile work',
    '<%= config.bin %> credential add my-gcp --provider gcp --key-file sa.json',
    'printf %s "$SECRET" | <%= config.bin %> credential add my-azure --provider azure --tenant-id T --client-id C --client-secret-stdin',
    'printf %s "$SECRET" | <%= config.bin %> credential add my-alibaba --provider alibaba --access-key-id LTAI… --access-key-secret-stdin',
  ];
  static override args = { name: Args.string({ required: true }) };
  static override flags = {
    provider: Flags.string({ required: true, summary: 'Cloud provider (aws, gcp, azure, …).' }),
    kind: Flags.option({
      options: ['aws-keys', 'aws-profile', 'gcp-service-account', 'azure-client-secret', 'alibaba-access-key', 'default-chain'] as const,
      summary: 'Credential kind (default: aws-keys for aws, gcp-service-account for gcp, azure-client-secret for azure, alibaba-access-key for alibaba).',
    })(),
    'access-key-id': Flags.string({ env: 'AWS_ACCESS_KEY_ID', summary: 'AWS access key id, or Alibaba AccessKey id (else ALIBABA_CLOUD_ACCESS_KEY_ID).' }),
    'access-key-secret-stdin': Flags.boolean({ summary: 'Read the Alibaba AccessKey secret from standard input (else ALIBABA_CLOUD_ACCESS_KEY_SECRET).' }),
    'secret-access-key-stdin': Flags.boolean({ summary: 'Read the secret access key from standard input.' }),
    profile: Flags.string({ summary: 'AWS profile name (kind aws-profile).' }),
    'key-file': Flags.string({ summary: 'GCP service-account key file (JSON).', env: 'GOOGLE_APPLICATION_CREDENTIALS' }),
    'tenant-id': Flags.string({ summary: 'Azure tenant id.', env: 'AZURE_TENANT_ID' }),
    'client-id': Flags.string({ summary: 'Azure client (application) id.', env: 'AZURE_CLIENT_ID' }),
    'client-secret-stdin': Flags.boolean({ summary: 'Read the Azure client secret from standard input (else AZURE_CLIENT_SECRET).' }),
    replace: Flags.boolean({ summary: 'Overwrite a credential of the same name.' }),
  };

  protected async execute(): Promise<Credential> {
    const kind = this.flags.kind ?? DEFAULT_KIND[this.flags.provider] ?? 'default-chain';
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
      ...(this.flags['tenant-id'] ? { tenantId: this.flags['tenant-id'] } : {}),
      ...(this.flags['client-id'] ? { clientId: this.flags['client-id'] } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      replace: this.flags.replace,
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(accessKeySecret ? { accessKeySecret } : {}),
      ...(secret ? { secretAccessKey: secret } : {}),
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
      ...(this.flags.profile ? { profile: this.flags.profile } : {}),
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
