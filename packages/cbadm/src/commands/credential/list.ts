import type { Credential } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import { help } from '../../help.js';

export function credentialTable(list: Credential[]): string {
  return makeTable(
    ['NAME', 'PROVIDER', 'KIND', 'DETAILS', 'CREATED'],
    list.map((c) => [c.name, c.provider, c.kind, Object.entries(c.attributes).map(([k, v]) => `${k}=${v}`).join(' '), c.createdAt]),
  );
}

export default class CredentialList extends BaseCommand<typeof CredentialList> {
  protected async execute(): Promise<Credential[]> {
    return (await this.core()).credentials.list();
  }

  protected override table(list: Credential[]): string {
    return list.length ? credentialTable(list) : 'No stored credentials.';
  }
}
help(CredentialList, 'credential list');
