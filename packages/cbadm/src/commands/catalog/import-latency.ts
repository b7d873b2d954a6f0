import { Args } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '@cloud-barista/core/errors';
import { BaseCommand } from '../../base-command.js';
import { help } from '../../help.js';

interface Result {
  source: string;
  importedAt: string;
  pairs: number;
  regions: number;
  skipped: number;
}

export default class CatalogImportLatency extends BaseCommand<typeof CatalogImportLatency> {
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
help(CatalogImportLatency, 'catalog import-latency');
