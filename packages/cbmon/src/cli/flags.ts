/** Flags shared by many commands; each reads an env var so CI pipelines can set it once. */
import { Args, Flags } from '@oclif/core';
import { nsFlag, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';

export { nsFlag, selector, subgroupFlag, vmFlag } from '@cloud-barista/cli-kit/flags';

/** The MCIS argument of the commands that work on one MCIS's VMs. */
export const mcisArgs = { mcis: Args.string({ required: true, description: 'MCIS name' }) };

/** Which of its VMs: --ns, and --subgroup or --vm (default: all). See BaseCommand.vmScope(). */
export const vmScopeFlags = { ns: nsFlag, subgroup: subgroupFlag, vm: vmFlag };

export const durationFlag = (summary: string, extra: { default?: string; env?: string } = {}) =>
  Flags.string({ summary, ...extra });

/** What `collector serve` runs with, and `collector start` passes on to the serve it spawns. */
export const collectorFlags = {
  ns: Flags.string({ summary: 'Only agents of this namespace (default: all).' }),
  mcis: Flags.string({ multiple: true, summary: 'Only agents of this MCIS (repeatable; default: all).' }),
  listen: Flags.string({ summary: 'Accept pushed line protocol on HOST:PORT.', env: 'CBMON_LISTEN' }),
  retention: Flags.string({ summary: 'Keep raw samples this long.', default: '7d', env: 'CBMON_RETENTION' }),
  'rollup-retention': Flags.string({ summary: 'Keep 1-minute rollups this long.', default: '90d' }),
  alerts: Flags.boolean({ summary: 'Evaluate alert rules.', default: true, allowNo: true }),
  'evaluate-every': Flags.string({ summary: 'How often alert rules are evaluated.', default: '5s' }),
  tls: Flags.boolean({
    summary: 'Serve pushes over HTTPS with a self-signed certificate kept in $CB_HOME/cbmon/tls; agents pin its key.',
    exclusive: ['tls-cert'],
  }),
  'tls-cert': Flags.string({ summary: 'Serve pushes over HTTPS with this certificate (PEM).', dependsOn: ['tls-key'] }),
  'tls-key': Flags.string({ summary: 'The private key (PEM) of --tls-cert.', dependsOn: ['tls-cert'] }),
};
