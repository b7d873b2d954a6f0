import { PartialError, type ConnectionTestResult as Result } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { renderConnectionTest } from '../../connection-render.js';
import { nameArgs } from '../../flags.js';

export default class ConnectionTest extends BaseCommand<typeof ConnectionTest> {
  static override summary = 'Check that a connection works: endpoint, region, credentials, and the permissions cbadm needs.';
  static override description =
    'Pings the cloud, then asks it without side effects which permissions the credential holds (EC2 DryRun, GCP testIamPermissions, ARM Microsoft.Authorization/permissions). Exits 0 when every checked permission is allowed, 3 (partial) when some are missing: the result lists them under `missing`.';
  static override examples = ['<%= config.bin %> connection test aws-seoul', '<%= config.bin %> connection test aws-seoul --json'];
  static override args = nameArgs;
  // With permissions missing, the full result is still the data: on stdout, as for a pass.
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<Result> {
    const r = await (await this.core()).testConnection(this.args.name);
    const missing = r.missing ?? [];
    if (missing.length) {
      throw new PartialError(`connection ${r.connection} works, but its credential lacks ${missing.length} permission(s) cbadm needs: ${missing.join(', ')}`, r, {
        hint: `grant ${missing.join(', ')} to the connection's credential, then run \`cbadm connection test ${r.connection}\` again`,
      });
    }
    return r;
  }

  protected override table(r: Result): string {
    return renderConnectionTest(r);
  }
}
