import type { Connection } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { connectionTable } from './list.js';
import { nameArgs } from '../../flags.js';
import { help } from '../../help.js';

export default class ConnectionGet extends BaseCommand<typeof ConnectionGet> {
  static override args = nameArgs;

  protected async execute(): Promise<Connection> {
    return (await this.core()).connections.get(this.args.name);
  }

  protected override table(c: Connection): string {
    return connectionTable([c]);
  }
}
help(ConnectionGet, 'connection get');
