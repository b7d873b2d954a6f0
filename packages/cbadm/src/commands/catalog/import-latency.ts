import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';

interface Result {
  source: string;
  importedAt: string;
  pairs: number;
  regions: number;
  skipped: number;
}

export default class CatalogImportLatency extends BaseCommand<typeof CatalogImportLatency> {
  static override summary = 'Load a measured inter-region RTT matrix; it takes precedence over the distance estimate.';
  static override description =
    "The format of Cloud-Barista's cloudlatencymap.csv: a header row ',aws-us-east-1,gcp-us-east4,…' then one row per region with RTTs in ms (empty: not measured). Replaces the previous matrix.";
  static override examples = ['<%= config.bin %> catalog import-latency cloudlatencymap.csv'];
  static override args = { file: Args.string({ required: true, description: "CSV file, or '-' for standard input." }) };

  protected async execute(): Promise<Result> {
    let text: string;
    try {
      text = readFileSync(this.args.file === '-' ? 0 : this.args.file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read '${this.args.file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'pass an existing CSV file' });
    }
    return (await this.core()).catalog.importLatency(text, this.args.file === '-' ? 'stdin' : basename(this.args.file));
  }

  protected override table(r: Result): string {
    return `Imported ${r.pairs} measured RTT(s) between ${r.regions} region(s) from ${r.source}${r.skipped ? ` (${r.skipped} non-numeric cell(s) skipped)` : ''}.`;
  }
}
