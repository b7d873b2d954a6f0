import type { Connection } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

export function connectionTable(list: Connection[]): string {
  return makeTable(
    ['NAME', 'PROVIDER', 'REGION', 'ZONE', 'CREDENTIAL', 'ENDPOINT'],
    list.map((c) => [c.name, c.provider, c.region, c.zone, c.credential ?? '(default chain)', c.endpoint ?? '(public)']),
  );
}

export default class ConnectionList extends BaseCommand<typeof ConnectionList> {
  protected async execute(): Promise<Connection[]> {
    return (await this.core()).connections.list();
  }

  protected override table(list: Connection[]): string {
    return list.length ? connectionTable(list) : 'No connections. Add one with `cbadm connection add` or `cbadm twin connect`.';
  }
}
help(ConnectionList, 'connection list');
