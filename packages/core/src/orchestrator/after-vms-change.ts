/**
 * What create and apply do once VMs came or went: the manifest's files and run on the VMs not yet
 * provisioned, then the network of the MCIS follows (firewall, overlay, balancers). Each step's
 * failures are reported like failed VMs; none stops the others.
 */
import { noEvents } from '../events.js';
import type { DriverPool } from '../driver/pool.js';
import type { CreateOptions } from './create.js';
import type { OrchestratorDeps } from './deps.js';
import { syncFirewalls } from './firewall.js';
import { syncBalancers } from './nlb.js';
import { firewallFailures, followOverlay } from './overlay-service.js';

type Failed = Array<{ vm: string; error: string }>;

export async function afterVmsChange(deps: OrchestratorDeps, pool: DriverPool, opts: CreateOptions): Promise<Failed> {
  return [...(await provision(deps, opts)), ...(await syncNetwork(deps, pool, opts))];
}

/** The manifest's files and run on the VMs not yet provisioned (provision.ts). */
async function provision(deps: OrchestratorDeps, opts: CreateOptions): Promise<Failed> {
  const { files, run } = opts.manifest.spec;
  if (!files?.length && !run?.length) return [];
  const { provisionVms } = await import('./provision.js');
  return provisionVms(deps, opts.ns, opts.manifest.metadata.name, opts.manifest, opts.events ?? noEvents, opts.signal);
}

/**
 * The MCIS firewall on every connection (a failed one reported like a failed VM), then the overlay,
 * then the balancers (whose targets are overlay IPs once there are).
 */
async function syncNetwork(deps: OrchestratorDeps, pool: DriverPool, opts: CreateOptions): Promise<Failed> {
  const { ns } = opts;
  const name = opts.manifest.metadata.name;
  const events = opts.events ?? noEvents;
  const failed = await syncFirewalls(deps, pool, ns, name, events);
  return [
    ...firewallFailures(failed),
    ...(await followOverlay(deps, ns, name, opts, pool)),
    ...(await syncBalancers(deps, ns, name, events, { signal: opts.signal })),
  ];
}
