import { Flags } from '@oclif/core';
import type { CatalogUpdateResult } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';
import { warn } from '../../spec-flags.js';
import { failedRegions } from '../../catalog-render.js';
import { help } from '../../help.js';

export default class CatalogUpdate extends BaseCommand<typeof CatalogUpdate> {
  static override flags = {
    connection: Flags.string({ summary: 'Only this connection.', exclusive: ['driver'] }),
    driver: Flags.string({ summary: 'Only connections of this driver (aws, gcp, azure…).', exclusive: ['connection'] }),
  };

  // Some regions failed (exit 3): the ones that worked are data, the failed ones listed under them.
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<CatalogUpdateResult> {
    const { catalog } = await this.core();
    const r = await catalog.update({ ...(this.flags.connection ? { connection: this.flags.connection } : {}), ...(this.flags.driver ? { driver: this.flags.driver } : {}) });
    // One line per distinct warning, not one per region.
    const byWarning = new Map<string, string[]>();
    for (const u of r.updated) if (u.warning) byWarning.set(u.warning, [...(byWarning.get(u.warning) ?? []), u.region]);
    for (const [w, regions] of byWarning) warn(`${w} (${regions.length === 1 ? regions[0] : `${regions.length} regions: ${regions.slice(0, 4).join(', ')}${regions.length > 4 ? ', …' : ''}`})`);
    return r;
  }

  protected override table(r: CatalogUpdateResult): string {
    const table = makeTable(
      ['CONNECTION', 'PROVIDER', 'REGION', 'SPECS', 'PRICED', 'IMAGES', 'PRICE SOURCE'],
      r.updated.map((u) => [u.connection, u.provider, u.region, u.specs, u.priced, u.images, u.priceSource]),
    );
    return r.failed.length ? `${table}\n${failedRegions(r.failed)}` : table;
  }
}
help(CatalogUpdate, 'catalog update');
