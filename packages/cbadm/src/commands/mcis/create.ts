import { Flags } from '@oclif/core';
import type { CreatePlan, CreateResult, FieldIssue } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { manifestFlags } from '../../flags.js';
import { readMcisManifestFile } from '../../manifest-file.js';
import { planTable } from '../../catalog-render.js';
import { failureSummary, mcisSummary } from '../../mcis-render.js';
import { help } from '../../help.js';

type Result = (CreateResult & { monitoring?: unknown }) | { dryRun: true; plan: CreatePlan; warnings: FieldIssue[] };

export default class McisCreate extends BaseCommand<typeof McisCreate> {
  static override flags = {
    ...manifestFlags,
    'dry-run': Flags.boolean({ summary: 'Validate and print the plan; change nothing.' }),
    parallelism: Flags.integer({ min: 1, env: 'CB_PARALLELISM', summary: 'VMs launched at once per region (default 20).' }),
    'on-failure': Flags.option({ options: ['continue', 'rollback', 'refine'] as const, summary: 'What to do when some VMs fail (default: the manifest, else continue).' })(),
    'max-failover': Flags.integer({
      min: 0,
      env: 'CB_MAX_FAILOVER',
      summary: 'Move a requirements subgroup to its next candidate when its region fails with a capacity or quota error, at most N times (never when resuming).',
    }),
    'install-mon-agent': Flags.boolean({ summary: 'Install the cbmon monitoring agent on every VM once it runs.' }),
    'mon-interval': Flags.string({ summary: 'Agent sampling interval (with --install-mon-agent; default 5s).', dependsOn: ['install-mon-agent'] }),
    'mon-push': Flags.string({ summary: 'Agents push to this collector URL instead of being pulled over SSH.', dependsOn: ['install-mon-agent'] }),
  };

  // Some VMs failed (exit 3): what was made is data, shown as the normal table with a summary.
  protected override readonly partialResultTo = 'stdout' as const;

  protected async execute(): Promise<Result> {
    const { manifest, warnings } = readMcisManifestFile(this.flags.file);
    const { mcis } = await this.core();
    const opts = {
      ns: this.flags.ns ?? manifest.metadata.namespace ?? 'default',
      manifest,
      ...(this.flags.parallelism ? { parallelism: this.flags.parallelism } : {}),
      ...(this.flags['on-failure'] ? { onFailure: this.flags['on-failure'] } : {}),
      ...(this.flags['max-failover'] ? { maxFailover: this.flags['max-failover'] } : {}),
    };
    if (this.flags['dry-run']) {
      const plan = mcis.plan(opts);
      for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);
      return { dryRun: true, plan, warnings };
    }
    const name = manifest.metadata.name;
    // A refused endpoint (a stopped twin) is one error before any VM is recorded, not one per VM.
    const { assertEndpointsAnswer } = await import('../../endpoint-probe.js');
    const named = new Set(manifest.spec.subgroups.flatMap((s) => (s.connection ? [s.connection] : [])));
    await assertEndpointsAnswer((await this.core()).connections.list().filter((c) => named.has(c.name)));
    if (!this.flags['install-mon-agent']) return mcis.create({ ...opts, events: await this.progress(`create ${name}`) });
    // Agent settings are checked before anything is created.
    const { parseDuration } = await import('@cloud-barista/agent/duration');
    const intervalMs = parseDuration(this.flags['mon-interval'] ?? '5s', '--mon-interval');
    const { createWithAgents } = await import('@cloud-barista/agent/after-create');
    const events = await this.progress(`create ${name}`);
    return createWithAgents(await this.core(), opts.ns, () => mcis.create({ ...opts, events }), {
      intervalMs,
      ...(this.flags['mon-push'] ? { push: this.flags['mon-push'] } : {}),
      onVm: (r) => events({ type: 'vm', mcis: name, vm: r.vm, status: 'Running', step: 'mon-agent', message: r.ok ? r.result : r.error }),
    });
  }

  protected override table(r: Result): string {
    if ('dryRun' in r) return planTable(r.plan);
    const moves = r.failovers.map((f) => `failover: ${f.subgroup} ${f.from.connection} ${f.from.spec} → ${f.to.connection} ${f.to.spec} (${f.code})\n`).join('');
    const running = r.mcis.vms.filter((v) => v.status === 'Running').length;
    const summary = failureSummary(`${running} of ${r.mcis.vms.length} VM(s) running`, r.failed);
    return [`${moves}${mcisSummary(r.mcis)}`, summary].filter(Boolean).join('\n');
  }
}
help(McisCreate, 'mcis create');
