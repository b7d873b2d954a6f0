import { Flags } from '@oclif/core';
import type { SpecListing } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { specTable } from '../../catalog-render.js';
import { specFilterFlags, specFilterOf, warn } from '../../spec-flags.js';
import { help } from '../../help.js';

export default class SpecList extends BaseCommand<typeof SpecList> {
  static override flags = {
    ...specFilterFlags,
    sort: Flags.option({ options: ['region', 'price'] as const, default: 'region', summary: 'Order: by provider region (cheapest first within), or by price overall.' })(),
    limit: Flags.integer({ min: 0, summary: 'Show at most N specs (0: all).', default: 0 }),
  };

  protected async execute(): Promise<SpecListing> {
    const filter = await specFilterOf(this.flags);
    const l = (await this.core()).catalog.listSpecs(filter, { sort: this.flags.sort === 'price' ? 'price' : 'name' });
    warn(l.staleWarning);
    if (!l.total) warn('the catalog is empty: fetch it with `cbadm catalog update`');
    return this.flags.limit ? { ...l, specs: l.specs.slice(0, this.flags.limit) } : l;
  }

  protected override table(l: SpecListing): string {
    return specTable(l);
  }
}
help(SpecList, 'spec list');
