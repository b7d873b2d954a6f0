import { Flags } from '@oclif/core';
import type { McisView } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { nsParse } from '../../flags.js';
import { mcisListTable } from '../../mcis-render.js';
import { help } from '../../help.js';

export default class McisList extends BaseCommand<typeof McisList> {
  static override flags = {
    ns: Flags.string({ summary: 'Namespace.', env: 'CB_NS', default: 'default', parse: nsParse }),
    'all-namespaces': Flags.boolean({ char: 'A', summary: 'List every namespace.' }),
  };

  protected async execute(): Promise<McisView[]> {
    return (await this.core()).mcis.list(this.flags['all-namespaces'] ? undefined : this.flags.ns);
  }

  protected override table(list: McisView[]): string {
    return list.length ? mcisListTable(list) : 'No MCIS. Create one with `cbadm mcis create -f FILE`.';
  }
}
help(McisList, 'mcis list');
