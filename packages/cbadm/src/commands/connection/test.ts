import { Args } from '@oclif/core';
import type { ConnectionTestResult as Result } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';

export default class ConnectionTest extends BaseCommand<typeof ConnectionTest> {
  static override summary = 'Check that a connection works: endpoint, region and credentials.';
  static override examples = ['<%= config.bin %> connection test aws-seoul'];
  static override args = { name: Args.string({ required: true }) };

  protected async execute(): Promise<Result> {
    return (await this.core()).testConnection(this.args.name);
  }

  protected override table(r: Result): string {
    return `OK: ${r.connection} (${r.provider} ${r.region}) answered in ${r.latencyMs} ms${r.account ? `, account ${r.account}` : ''}.`;
  }
}
