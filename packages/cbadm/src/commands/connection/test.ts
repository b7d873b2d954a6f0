import { PartialError, type ConnectionTestResult as Result } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { renderConnectionTest } from '../../connection-render.js';
import { nameArgs } from '../../flags.js';
import { help } from '../../help.js';

export default class ConnectionTest extends BaseCommand<typeof ConnectionTest> {
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
help(ConnectionTest, 'connection test');
