import { Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { parseMcisManifest, UsageError, type CreatePlan, type CreateResult } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';

import { makeTable } from '../../render.js';
import { mcisSummary } from '../../mcis-render.js';

type Result = CreateResult | { dryRun: true; plan: CreatePlan; warnings: Array<{ path: string; message: string }> };

export default class McisCreate extends BaseCommand<typeof McisCreate> {
  static override summary = 'Create an MCIS from a manifest (re-running after an interruption continues it).';
  static override examples = [
    '<%= config.bin %> mcis create -f examples/quickstart.yaml',
    '<%= config.bin %> mcis create -f mcis.yaml --dry-run',
    '<%= config.bin %> mcis create -f mcis.yaml --parallelism 50 --on-failure rollback --json',
  ];
  static override flags = {
    file: Flags.string({ char: 'f', required: true, summary: "Manifest file (YAML), or '-' for standard input." }),
    ns: Flags.string({ summary: 'Namespace (default: metadata.namespace of the manifest, else default).', env: 'CB_NS' }),
    'dry-run': Flags.boolean({ summary: 'Validate and print the plan; change nothing.' }),
    parallelism: Flags.integer({ min: 1, env: 'CB_PARALLELISM', summary: 'VMs launched at once per region (default 20).' }),
    'on-failure': Flags.option({ options: ['continue', 'rollback', 'refine'] as const, summary: 'What to do when some VMs fail (default: the manifest, else continue).' })(),
  };

  protected async execute(): Promise<Result> {
    const source = this.flags.file;
    let text: string;
    try {
      text = readFileSync(source === '-' ? 0 : source, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read manifest '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'pass an existing YAML file with -f' });
    }
    const v = parseMcisManifest(text, source);
    if (!v.value) throw new UsageError(`invalid manifest ${source}`, { issues: v.errors, hint: 'fix the fields listed above; nothing was changed' });
    for (const w of v.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
    const { mcis } = await this.core();
    const opts = {
      ns: this.flags.ns ?? v.value.metadata.namespace ?? 'default',
      manifest: v.value,
      ...(this.flags.parallelism ? { parallelism: this.flags.parallelism } : {}),
      ...(this.flags['on-failure'] ? { onFailure: this.flags['on-failure'] } : {}),
    };
    if (this.flags['dry-run']) return { dryRun: true, plan: mcis.plan(opts), warnings: v.warnings };
    return mcis.create({ ...opts, events: await this.progress(`create ${v.value.metadata.name}`) });
  }

  protected override table(r: Result): string {
    if ('dryRun' in r) {
      const p = r.plan;
      return `Plan for MCIS ${p.ns}/${p.name} (dry run; nothing changed): ${p.vms.length} VM(s), on failure: ${p.onFailure}, parallelism ${p.parallelism}/region\n${makeTable(
        ['VM', 'SUBGROUP', 'CONNECTION', 'PROVIDER', 'REGION', 'SPEC', 'IMAGE'],
        p.vms.map((v) => [v.name, v.subgroup, v.connection, v.provider, v.region, v.spec, v.image]),
      )}`;
    }
    return mcisSummary(r.mcis);
  }
}
