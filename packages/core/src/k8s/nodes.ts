/**
 * A cluster's nodes as the service works on them: node records from the MCIS's VMs, exec targets for
 * the bootstrap, a control plane that answers, and the MCIS manifest a node set becomes.
 */
import { OperationError, UsageError } from '../errors.js';
import { TAG } from '../domain.js';
import type { McisManifest } from '../manifest.js';
import type { Vm } from '../model.js';
import { execTargetOf, transportsOf } from '../orchestrator/transport.js';
import type { OrchestratorDeps } from '../orchestrator/deps.js';
import type { K8sClusterRecord, K8sNodeRecord, NodeRole, NodeSet } from '../records/k8s.js';
import { StepError, type BootNode, type ClusterContext } from './bootstrap.js';
import { defined } from '../util/defined.js';

/** The node records for the VMs of `sets` in an MCIS, keeping what earlier runs recorded. */
export function nodesFor(
  deps: Pick<OrchestratorDeps, 'store'>,
  c: K8sClusterRecord,
  mcis: string,
  sets: Array<{ set: string; role: NodeRole }>,
): K8sNodeRecord[] {
  const vms = deps.store.listVms(c.ns, mcis);
  return sets.flatMap(({ set, role }) => {
    const mine = vms.filter((v) => v.subgroup === set);
    if (mine.length === 0)
      throw new UsageError(`MCIS '${mcis}' has no VMs in subgroup '${set}'`, {
        hint: `node sets map to MCIS subgroups by name; check: cbadm mcis get ${mcis}`,
      });
    return mine.map((vm): K8sNodeRecord => {
      const old = c.nodes.find((n) => n.name === vm.name);
      return {
        name: vm.name,
        role,
        nodeSet: set,
        mcis,
        connection: vm.connection,
        provider: vm.provider,
        region: vm.region,
        ...defined({ zone: vm.zone, publicIp: vm.publicIp, privateIp: vm.privateIp }),
        status: old?.status ?? 'Pending',
        ...defined({ step: old?.step }),
      };
    });
  });
}

export function bootNodes(deps: OrchestratorDeps, c: K8sClusterRecord, names?: Set<string>): BootNode[] {
  const vms = new Map<string, Vm>();
  for (const m of new Set(c.nodes.map((n) => n.mcis)))
    for (const vm of deps.store.listVms(c.ns, m)) vms.set(vm.name, vm);
  const transports = transportsOf(deps);
  return c.nodes
    .filter((n) => !names || names.has(n.name))
    .map((rec) => {
      const vm = vms.get(rec.name);
      if (!vm || vm.status !== 'Running' || !transports.reachable(vm)) {
        throw new StepError(
          rec.name,
          'ssh',
          `VM is ${vm?.status ?? 'missing'}; bootstrap needs a Running VM`,
        );
      }
      return { rec, target: execTargetOf(deps, vm) };
    });
}

export function clusterContext(deps: OrchestratorDeps, c: K8sClusterRecord): ClusterContext {
  const [first] = bootNodes(deps, c, new Set([c.nodes.find((n) => n.role === 'control-plane')!.name]));
  return {
    name: c.name,
    spec: c.spec,
    first: first!,
    endpoint: c.endpoint ?? `${first!.rec.publicIp}:${c.spec.kubernetes.apiPort}`,
  };
}

/**
 * Runs `fn` with a control plane that answers: the first one, else the next joined one (each runs
 * its own API server). Without a load balancer in front, the endpoint stays the first one's
 * address, so joins still need it; kubectl and the kubeconfig do not.
 */
export async function withControlPlane<T>(deps: OrchestratorDeps, c: K8sClusterRecord, fn: (ctx: ClusterContext) => Promise<T>): Promise<T> {
  const cps = c.nodes.filter((n, i, all) => n.role === 'control-plane' && (n === all.find((x) => x.role === 'control-plane') || n.status === 'Ready' || n.status === 'Joined'));
  let last: unknown;
  for (const cp of cps) {
    let ctx: ClusterContext;
    try {
      const [node] = bootNodes(deps, c, new Set([cp.name]));
      ctx = { name: c.name, spec: c.spec, first: node!, endpoint: c.endpoint ?? `${cp.publicIp}:${c.spec.kubernetes.apiPort}` };
    } catch (e) {
      last = e; // its VM is not running
      continue;
    }
    try {
      return await fn(ctx);
    } catch (e) {
      if (!(e instanceof StepError && e.unreachable)) throw e;
      last = e;
    }
  }
  throw last instanceof Error ? last : new OperationError(`cluster '${c.name}' has no control plane that answers`);
}

/** The MCIS that holds a cluster's node sets, one subgroup per set. */
export function toMcisManifest(name: string, cluster: string, sets: NodeSet[]): McisManifest {
  return {
    // manifest.ts's API_VERSION, spelled out: importing it would load zod and yaml.
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'MCIS',
    metadata: { name, labels: { 'cb-k8s-cluster': cluster, [TAG.managed]: 'true' } },
    spec: {
      subgroups: sets.map((s) => ({
        name: s.name,
        count: s.count,
        image: s.image,
        ...defined({ connection: s.connection, spec: s.spec, requirements: s.requirements, sshUser: s.sshUser }),
      })),
      policy: { onFailure: 'continue', parallelism: 50 },
    },
  };
}
