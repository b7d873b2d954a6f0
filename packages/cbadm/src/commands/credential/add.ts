import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import type { Credential } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { credentialTable } from './list.js';

export default class CredentialAdd extends BaseCommand<typeof CredentialAdd> {
  static override summary = 'Store a credential (secret kept in a 0600 file, never printed).';
  static override description =
    'Kinds: aws-keys (access key id + secret; read from --secret-access-key-stdin or AWS_SECRET_ACCESS_KEY, never from a flag, so it stays out of shell history), aws-profile (a profile in ~/.aws), default-chain.';
  static override examples = [
    'AWS_ACCESS_KEY_ID=AKIA… AWS_SECRET_ACCESS_KEY=… <%= config.bin %> credential add my-aws --provider aws --kind aws-keys',
    'printf %s "$SECRET" | <%= config.bin %> credential add my-aws --provider aws --kind aws-keys --access-key-id AKIA… --secret-access-key-stdin',
    '<%= config.bin %> credential add work --provider aws --kind aws-profile --profile work',
  ];
  static override args = { name: Args.string({ required: true }) };
  static override flags = {
    provider: Flags.string({ required: true, summary: 'Cloud provider (aws, gcp, azure, …).' }),
    kind: Flags.option({ options: ['aws-keys', 'aws-profile', 'default-chain'] as const, default: 'aws-keys', summary: 'Credential kind.' })(),
    'access-key-id': Flags.string({ env: 'AWS_ACCESS_KEY_ID', summary: 'AWS access key id.' }),
    'secret-access-key-stdin': Flags.boolean({ summary: 'Read the secret access key from standard input.' }),
    profile: Flags.string({ summary: 'AWS profile name (kind aws-profile).' }),
    replace: Flags.boolean({ summary: 'Overwrite a credential of the same name.' }),
  };

  protected async execute(): Promise<Credential> {
    const secret = this.flags['secret-access-key-stdin'] ? readFileSync(0, 'utf8').trim() : process.env.AWS_SECRET_ACCESS_KEY;
    return (await this.core()).credentials.add({
      name: this.args.name,
      provider: this.flags.provider,
      kind: this.flags.kind,
      replace: this.flags.replace,
      ...(this.flags['access-key-id'] ? { accessKeyId: this.flags['access-key-id'] } : {}),
      ...(secret ? { secretAccessKey: secret } : {}),
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
      ...(this.flags.profile ? { profile: this.flags.profile } : {}),
    });
  }

  protected override table(c: Credential): string {
    return credentialTable([c]);
  }
}
