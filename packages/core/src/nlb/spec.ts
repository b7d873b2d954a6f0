/**
 * `spec.loadBalancers`: checking them with field paths, and turning each into what the MCIS
 * machinery already knows — a managed subgroup `nlb-<name>` (count 1) whose firewall opens `port`
 * to the world, and a rule on every target subgroup opening `targetPort` to that subgroup only.
 * So `apply` creates, replaces and removes the balancer VM like any subgroup, and the existing
 * firewall sync realises the rules. Pure: no store, no cloud call.
 */
import type { FieldIssue } from '../errors.js';
import { ANYWHERE } from '../firewall.js';
import type { FirewallRuleSpec, LoadBalancerSpec, ManifestSubgroup, Vm } from '../model.js';

const SUBGROUP = 'subgroup:';

/** The subgroup that holds the balancer VM. */
export const balancerSubgroup = (lb: string): string => `nlb-${lb}`;

/** The subgroup names an LB's targets name (`subgroup:NAME`). */
export const targetSubgroups = (lb: Pick<LoadBalancerSpec, 'targets'>): string[] => lb.targets.map((t) => t.slice(SUBGROUP.length));

/**
 * The address the balancer forwards to: the VM's overlay IP once the MCIS overlay gives it one
 * (private, same subnet on every cloud), else its public IP. The one place that choice is made.
 */
export function targetAddress(vm: Pick<Vm, 'publicIp'> & { overlayIp?: string | undefined }): string | undefined {
  return vm.overlayIp ?? vm.publicIp;
}

interface Spec {
  subgroups: ReadonlyArray<Pick<ManifestSubgroup, 'name'>>;
  loadBalancers?: LoadBalancerSpec[] | undefined;
}

/** Field issues: duplicate names, targets that name no subgroup, a name taken by a user subgroup, placement. */
export function loadBalancerIssues(spec: Spec): FieldIssue[] {
  const lbs = spec.loadBalancers ?? [];
  const names = new Set(spec.subgroups.map((s) => s.name));
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  lbs.forEach((lb, i) => {
    const path = `spec.loadBalancers[${i}]`;
    if (seen.has(lb.name)) issues.push({ path: `${path}.name`, message: `duplicate load balancer name '${lb.name}': names must be unique` });
    seen.add(lb.name);
    if (names.has(balancerSubgroup(lb.name))) {
      issues.push({ path: `${path}.name`, message: `the subgroup '${balancerSubgroup(lb.name)}' is the balancer's own: rename that subgroup or the load balancer` });
    }
    lb.targets.forEach((t, j) => {
      if (!t.startsWith(SUBGROUP)) issues.push({ path: `${path}.targets[${j}]`, message: `'${t}' is not 'subgroup:NAME' (e.g. subgroup:${[...names][0] ?? 'web'})` });
      else if (!names.has(t.slice(SUBGROUP.length))) issues.push({ path: `${path}.targets[${j}]`, message: `no subgroup '${t.slice(SUBGROUP.length)}' in this MCIS (its subgroups: ${[...names].join(', ')})` });
    });
    if (lb.port === 22) issues.push({ path: `${path}.port`, message: 'port 22 is the balancer VM\'s SSH port: pick another (e.g. 80)' });
    if (lb.requirements && (lb.connection || lb.spec)) issues.push({ path: `${path}.requirements`, message: 'give either connection and spec or requirements, not both' });
    else if (!lb.requirements && !(lb.connection && lb.spec)) issues.push({ path, message: 'needs connection and spec (e.g. connection: aws-seoul, spec: t3.micro), or requirements' });
  });
  return issues;
}

type WithBalancers<M> = M & { spec: { subgroups: ManifestSubgroup[]; loadBalancers?: LoadBalancerSpec[] | undefined } };

/** The rule a target subgroup gets for one balancer. */
const targetRule = (lb: LoadBalancerSpec): FirewallRuleSpec => ({ ports: String(lb.targetPort), protocol: 'tcp', from: [`${SUBGROUP}${balancerSubgroup(lb.name)}`] });

const sameRule = (a: FirewallRuleSpec, b: FirewallRuleSpec) => a.ports === b.ports && (a.protocol ?? 'tcp') === (b.protocol ?? 'tcp') && a.from.join() === b.from.join();

/**
 * The manifest with every balancer as a subgroup and its rules. Idempotent: a manifest already
 * expanded (as `manifestOf` gives back a record) is returned unchanged.
 */
export function withBalancers<M extends { spec: { subgroups: ManifestSubgroup[]; loadBalancers?: LoadBalancerSpec[] | undefined } }>(m: M): WithBalancers<M> {
  const lbs = m.spec.loadBalancers ?? [];
  if (!lbs.length) return m;
  const byName = new Map(m.spec.subgroups.map((s) => [s.name, s]));
  const subgroups = m.spec.subgroups.map((sg) => {
    const rules = lbs.filter((lb) => targetSubgroups(lb).includes(sg.name)).map(targetRule);
    const firewall = [...(sg.firewall ?? [])];
    for (const r of rules) if (!firewall.some((f) => sameRule(f, r))) firewall.push(r);
    return firewall.length ? { ...sg, firewall } : sg;
  });
  for (const lb of lbs) {
    if (byName.has(balancerSubgroup(lb.name))) continue;
    const first = byName.get(targetSubgroups(lb)[0] ?? '');
    subgroups.push({
      name: balancerSubgroup(lb.name),
      count: 1,
      image: lb.image ?? first?.image ?? 'ubuntu-22.04',
      ...(first?.sshUser ? { sshUser: first.sshUser } : {}),
      ...(lb.requirements ? { requirements: lb.requirements } : { connection: lb.connection, spec: lb.spec }),
      firewall: [{ ports: String(lb.port), protocol: 'tcp', from: [ANYWHERE] }],
    });
  }
  return { ...m, spec: { ...m.spec, subgroups } };
}

/** The inverse, for a record turned back into the user's manifest: the generated subgroups and rules go. */
export function withoutBalancers<S extends { subgroups: ManifestSubgroup[]; loadBalancers?: LoadBalancerSpec[] | undefined }>(spec: S): S {
  const lbs = spec.loadBalancers ?? [];
  if (!lbs.length) return spec;
  const generated = new Set(lbs.map((lb) => balancerSubgroup(lb.name)));
  const subgroups = spec.subgroups
    .filter((sg) => !generated.has(sg.name))
    .map((sg) => {
      const rules = lbs.filter((lb) => targetSubgroups(lb).includes(sg.name)).map(targetRule);
      const firewall = (sg.firewall ?? []).filter((f) => !rules.some((r) => sameRule(f, r)));
      const rest = { ...sg };
      delete rest.firewall;
      return firewall.length ? { ...rest, firewall } : rest;
    });
  return { ...spec, subgroups };
}
