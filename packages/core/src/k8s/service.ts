/**
 * K8sService: `cbadm k8s …`. A cluster is an MCIS (created, or given with --mcis) plus a bootstrap
 * run over SSH (./bootstrap.ts). The record's phase moves Pending → Provisioning → Provisioned, or
 * Failed with the node and step in the reason; re-running create after a failure or a kill picks
 * the work up again: the MCIS adopts its VMs and every step skips what is done.
 */
import { ConflictError, NotFoundError, OperationError, PartialError, UsageError } from '../errors.js';
import { noEvents } from '../events.js';
import { nowIso } from '../domain.js';
import { ANYWHERE, cidrProblem } from '../firewall.js';
import type { OrchestratorDeps, RunOptions } from '../orchestrator/deps.js';
import type { McisService } from '../orchestrator/service.js';
import { transportsOf } from '../orchestrator/transport.js';
import {
  bootstrapNodes,
  kubectlOnControlPlane,
  runStep,
  StepError,
  waitReady,
  type BootstrapDeps,
} from './bootstrap.js';
import { applyFirewall, nodeSources } from './firewall.js';
import type { K8sClusterManifestValue, NodeSet } from './manifest.js';
import type { K8sClusterRecord, NodeRole } from '../records/k8s.js';
import { bootNodes, clusterContext, nodesFor, toMcisManifest, withControlPlane } from './nodes.js';
import { clusterView, type K8sClusterView } from './view.js';
import { join } from 'node:path';
import type { KubeconfigCleanup } from './kubeconfig.js';
import { childPath } from '../home.js';

export interface K8sTimeouts {
  /** Per bootstrap step (apt installs on real VMs take minutes). */
  stepMs: number;
  /** For every node to report Ready after joining. */
  readySec: number;
}
const DEFAULTS: K8sTimeouts = { stepMs: 15 * 60_000, readySec: 600 };

export interface KubeconfigResult {
  cluster: string;
  context: string;
  server: string;
  file: string;
  merged: boolean;
}

const sameSpec = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class K8sService {
  private readonly t: K8sTimeouts;
  constructor(
    private readonly deps: OrchestratorDeps,
    private readonly mcis: McisService,
    timeouts: Partial<K8sTimeouts> = {},
  ) {
    this.t = { ...DEFAULTS, ...timeouts };
  }

  private require(ns: string, name: string): K8sClusterRecord {
    const c = this.deps.store.getCluster(ns, name);
    if (!c) throw new NotFoundError('cluster', name, { hint: `list them with: cbadm k8s list --ns ${ns}` });
    return c;
  }

  list(ns?: string): K8sClusterView[] {
    return this.deps.store.listClusters(ns).map(clusterView);
  }

  get(ns: string, name: string): K8sClusterView {
    return clusterView(this.require(ns, name));
  }

  private async locked<T>(ns: string, name: string, what: string, fn: () => Promise<T>): Promise<T> {
    const key = `k8s/${ns}/${name}`;
    this.deps.store.acquireLock(key, what);
    try {
      return await fn();
    } finally {
      this.deps.store.releaseLock(key);
    }
  }

  private update(c: K8sClusterRecord, patch: (c: K8sClusterRecord) => K8sClusterRecord): K8sClusterRecord {
    return this.deps.store.updateCluster(c.ns, c.name, (cur) => ({ ...patch(cur), updatedAt: nowIso() }));
  }

  private bootDeps(c: K8sClusterRecord, opts: RunOptions): BootstrapDeps {
    return {
      cluster: c.name,
      transport: transportsOf(this.deps),
      events: opts.events ?? noEvents,
      stepTimeoutMs: this.t.stepMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      update: (node, patch) =>
        this.deps.store.updateCluster(c.ns, c.name, (cur) => ({
          ...cur,
          nodes: cur.nodes.map((n) => (n.name === node ? { ...n, ...patch } : n)),
          updatedAt: nowIso(),
        })),
    };
  }

  private fail(c: K8sClusterRecord, errors: Error[]): never {
    const reason = errors.map((e) => e.message).join('; ');
    this.update(c, (cur) => ({ ...cur, phase: 'Failed', reason }));
    throw new OperationError(`cluster '${c.name}' Failed: ${reason}`, {
      hint: `fix the cause and run the same create again (finished steps are skipped), or delete it: cbadm k8s delete ${c.name}`,
    });
  }

  /** Creates the cluster, or continues one an interrupted or failed run left behind. */
  async create(
    opts: { ns: string; manifest: K8sClusterManifestValue; mcis?: string; apiAccess?: string[] } & RunOptions,
  ): Promise<K8sClusterView> {
    const m = opts.manifest;
    const events = opts.events ?? noEvents;
    const badAccess = (opts.apiAccess ?? []).flatMap((a, i) => {
      const problem = cidrProblem(a);
      return problem ? [{ path: `--api-access[${i}]`, message: problem }] : [];
    });
    if (badAccess.length || opts.apiAccess?.length === 0) {
      throw new UsageError('--api-access takes IPv4 CIDRs separated by commas', { issues: badAccess, hint: 'e.g. --api-access 203.0.113.7/32,198.51.100.0/24; nothing was created' });
    }
    const sets = [
      ...m.spec.controlPlane.map((s) => ({ s, role: 'control-plane' as const })),
      ...m.spec.workers.map((s) => ({ s, role: 'worker' as const })),
    ];
    const mcisName = opts.mcis ?? m.name;
    const mcisManifest = toMcisManifest(
      mcisName,
      m.name,
      sets.map((x) => x.s),
    );
    if (opts.mcis) {
      if (!this.deps.store.getMcis(opts.ns, opts.mcis))
        throw new NotFoundError('MCIS', opts.mcis, {
          hint: `list them with: cbadm mcis list --ns ${opts.ns}`,
        });
    } else {
      this.mcis.plan({ ns: opts.ns, manifest: mcisManifest }); // unknown connections etc.: nothing created yet
    }
    return this.locked(opts.ns, m.name, 'k8s create', async () => {
      const now = nowIso();
      let c = this.deps.store.getCluster(opts.ns, m.name);
      if (c && (!sameSpec(c.spec, m.spec) || c.mcis !== mcisName)) {
        throw new ConflictError(
          `cluster '${m.name}' already exists in namespace '${opts.ns}' with another spec`,
          { hint: `delete it first (cbadm k8s delete ${m.name}) or use another name` },
        );
      }
      if (!c) {
        c = {
          ns: opts.ns,
          name: m.name,
          mcis: mcisName,
          ownsMcis: !opts.mcis,
          extraMcis: [],
          labels: m.labels,
          spec: m.spec,
          phase: 'Pending',
          apiAccess: opts.apiAccess ?? [ANYWHERE],
          nodes: [],
          createdAt: now,
          updatedAt: now,
        };
        this.deps.store.createCluster(c);
      }
      // A re-run may widen where kubectl reaches the API from (the old sources stay open until delete).
      c = this.update(c, (cur) => ({ ...cur, phase: 'Provisioning', reason: undefined, ...(opts.apiAccess ? { apiAccess: [...new Set([...(cur.apiAccess ?? []), ...opts.apiAccess])] } : {}) }));
      events({
        type: 'phase',
        mcis: m.name,
        phase: 'vms',
        message: opts.mcis ? `using MCIS ${opts.mcis}` : `creating MCIS ${mcisName}`,
      });
      if (!opts.mcis) {
        try {
          await this.mcis.create({
            ns: opts.ns,
            manifest: mcisManifest,
            events,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
        } catch (e) {
          if (e instanceof PartialError || e instanceof OperationError)
            this.fail(c, [new OperationError(`VMs: ${e.message}`)]);
          throw e;
        }
      }
      const nodes = nodesFor(
        this.deps,
        c,
        mcisName,
        sets.map(({ s, role }) => ({ set: s.name, role })),
      );
      c = this.update(c, (cur) => ({ ...cur, nodes }));
      const first = nodes.find((n) => n.role === 'control-plane')!;
      // Without a load balancer of the user's, the first control plane's address is the endpoint.
      const endpoint = m.spec.kubernetes.controlPlaneEndpoint ?? `${first.publicIp}:${m.spec.kubernetes.apiPort}`;
      c = this.update(c, (cur) => ({ ...cur, endpoint }));
      return this.bootstrap(c, new Set(nodes.map((n) => n.name)), opts);
    });
  }

  /** Firewall, prepare, init (once), joins, Ready. `names` are the nodes to work on. */
  private async bootstrap(
    c0: K8sClusterRecord,
    names: Set<string>,
    opts: RunOptions,
  ): Promise<K8sClusterView> {
    let c = c0;
    const events = opts.events ?? noEvents;
    const deps = this.bootDeps(c, opts);
    try {
      events({
        type: 'phase',
        mcis: c.name,
        phase: 'firewall',
        message: 'opening cluster ports between the nodes',
      });
      const firewall = applyFirewall(this.deps, c, 'allow', events);
      firewall.catch(() => {}); // awaited before the joins (bootstrapNodes) and again below
      const ctx = clusterContext(this.deps, c);
      const nodes = bootNodes(this.deps, c, names);
      // kubeadm init runs when the first control plane is among the nodes (its step skips a done init).
      const lb = c.spec.kubernetes.controlPlaneEndpoint?.replace(/:\d+$/, '');
      const certSans = names.has(ctx.first.rec.name)
        ? [...new Set([lb, ctx.first.rec.publicIp, ctx.first.rec.privateIp].filter((x): x is string => !!x))]
        : undefined;
      const failures = await bootstrapNodes(deps, ctx, nodes, {
        beforeJoin: firewall,
        ...(certSans ? { certSans } : {}),
      });
      await firewall; // a cluster of one node joins no one, but its ports must still open
      if (failures.length) this.fail(c, failures);
      events({ type: 'phase', mcis: c.name, phase: 'ready', message: 'waiting for the nodes to be Ready' });
      const late = await waitReady(
        deps,
        ctx,
        nodes.map((n) => n.rec.name),
        this.t.readySec,
      );
      if (late.length) this.fail(c, late);
      for (const n of nodes) deps.update(n.rec.name, { status: 'Ready', step: 'ready', error: undefined });
    } catch (e) {
      if (e instanceof StepError) this.fail(c, [e]);
      throw e;
    }
    c = this.update(c, (cur) => ({ ...cur, phase: 'Provisioned', reason: undefined }));
    return clusterView(c);
  }

  /** Adds `count` nodes on a connection, in an MCIS of their own, and joins them. */
  async addNodes(
    opts: {
      ns: string;
      name: string;
      connection: string;
      count: number;
      role: NodeRole;
      spec?: string;
      image?: string;
    } & RunOptions,
  ): Promise<K8sClusterView> {
    const c0 = this.require(opts.ns, opts.name);
    if (c0.phase !== 'Provisioned')
      throw new ConflictError(
        `cluster '${opts.name}' is ${c0.phase}; nodes can be added to a Provisioned cluster`,
        { hint: `finish it first: cbadm k8s create -f … again` },
      );
    // Spec and image names are per cloud: copy them from a placed node set on the same provider
    // (the MCIS records the connection and spec that requirements resolved to).
    const provider = this.deps.store.getConnection(opts.connection)?.provider;
    const placed = [c0.mcis, ...c0.extraMcis].flatMap(
      (m) => this.deps.store.getMcis(c0.ns, m)?.subgroups ?? [],
    );
    const like = placed.find((s) => this.deps.store.getConnection(s.connection)?.provider === provider);
    if (!like && (!opts.spec || !opts.image)) {
      throw new UsageError(
        `the cluster has no node set on ${provider ?? `connection '${opts.connection}'`} to copy the VM spec and image from`,
        { hint: 'pass --spec and --image' },
      );
    }
    const set = `add${c0.extraMcis.length + 1}`;
    const mcisName = `${opts.name}-${set}`;
    const nodeSet: NodeSet = {
      name: set,
      connection: opts.connection,
      count: opts.count,
      spec: opts.spec ?? like!.spec,
      image: opts.image ?? like!.image,
    };
    const manifest = toMcisManifest(mcisName, opts.name, [nodeSet]);
    this.mcis.plan({ ns: opts.ns, manifest });
    return this.locked(opts.ns, opts.name, 'k8s node add', async () => {
      let c = this.update(c0, (cur) => ({
        ...cur,
        extraMcis: [...cur.extraMcis.filter((x) => x !== mcisName), mcisName],
      }));
      await this.mcis.create({ ns: opts.ns, manifest, ...(opts.events ? { events: opts.events } : {}) });
      const added = nodesFor(this.deps, c, mcisName, [{ set, role: opts.role }]);
      c = this.update(c, (cur) => ({
        ...cur,
        phase: 'Provisioning',
        nodes: [...cur.nodes.filter((n) => n.mcis !== mcisName), ...added],
      }));
      return this.bootstrap(c, new Set(added.map((n) => n.name)), opts);
    });
  }

  /** Cordon, drain, (reset a control plane), `kubectl delete node`, terminate the VM, close the ports to it. */
  async removeNode(opts: { ns: string; name: string; node: string } & RunOptions): Promise<K8sClusterView> {
    const c0 = this.require(opts.ns, opts.name);
    const rec = c0.nodes.find((n) => n.name === opts.node);
    if (!rec)
      throw new NotFoundError('node', opts.node, { hint: `list the nodes with: cbadm k8s get ${opts.name}` });
    const first = c0.nodes.find((n) => n.role === 'control-plane');
    if (first?.name === rec.name)
      throw new UsageError(
        `node '${rec.name}' is the first control-plane node, which holds the cluster's endpoint`,
        { hint: `delete the whole cluster instead: cbadm k8s delete ${opts.name}` },
      );
    return this.locked(opts.ns, opts.name, 'k8s node remove', async () => {
      const deps = this.bootDeps(c0, opts);
      await withControlPlane(this.deps, c0, (ctx) =>
        kubectlOnControlPlane(deps, ctx, ['drain', rec.name, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=300s']),
      );
      if (rec.role === 'control-plane') {
        // kubeadm reset on the leaving control plane removes its etcd member: the others keep quorum.
        try {
          const [node] = bootNodes(this.deps, c0, new Set([rec.name]));
          await runStep(deps, node!, 'reset', {});
        } catch (e) {
          if (!(e instanceof StepError)) throw e;
          deps.events({ type: 'warning', message: `${e.message}; remove its etcd member by hand (etcdctl member remove) if it is still listed` });
        }
      }
      await withControlPlane(this.deps, c0, (ctx) => kubectlOnControlPlane(deps, ctx, ['delete', 'node', rec.name, '--ignore-not-found']));
      await this.mcis.action({
        ns: opts.ns,
        name: rec.mcis,
        action: 'terminate',
        selector: { vm: rec.name },
        ...(opts.events ? { events: opts.events } : {}),
      });
      // Its address may go to someone else's VM next: the cluster's ports close to it.
      await applyFirewall(this.deps, c0, 'revoke', opts.events ?? noEvents, { sources: nodeSources([rec]) });
      this.deps.store.deleteVm(opts.ns, rec.mcis, rec.name);
      let c = this.update(c0, (cur) => ({ ...cur, nodes: cur.nodes.filter((n) => n.name !== rec.name) }));
      if (c.extraMcis.includes(rec.mcis) && this.deps.store.listVms(opts.ns, rec.mcis).length === 0) {
        await this.mcis.delete({ ns: opts.ns, name: rec.mcis, force: true });
        c = this.update(c, (cur) => ({ ...cur, extraMcis: cur.extraMcis.filter((x) => x !== rec.mcis) }));
      }
      return clusterView(c);
    });
  }

  /** Deletes the cluster: closes its ports, terminates and deletes the MCISes it made, drops the record. */
  async delete(
    opts: { ns: string; name: string } & RunOptions,
  ): Promise<{ deleted: string; mcisDeleted: string[]; kubeconfigs: KubeconfigCleanup[] }> {
    const c0 = this.require(opts.ns, opts.name);
    return this.locked(opts.ns, opts.name, 'k8s delete', async () => {
      const c = this.update(c0, (cur) => ({ ...cur, phase: 'Deleting' }));
      await applyFirewall(this.deps, c, 'revoke', opts.events ?? noEvents);
      const owned = [...(c.ownsMcis ? [c.mcis] : []), ...c.extraMcis].filter((m) =>
        this.deps.store.getMcis(c.ns, m),
      );
      for (const m of owned)
        await this.mcis.delete({
          ns: c.ns,
          name: m,
          force: true,
          ...(opts.events ? { events: opts.events } : {}),
        });
      // Its contexts would point kubectl at addresses that are someone else's next.
      const { forgetCluster } = await import('./kubeconfig.js');
      const kubeconfigs = (c.kubeconfigs ?? []).map((f) => forgetCluster(f, c.name, join(this.deps.home.root, 'kube')));
      this.deps.store.deleteCluster(c.ns, c.name);
      return { deleted: c.name, mcisDeleted: owned, kubeconfigs };
    });
  }

  /** Fetches admin.conf over SSH, renames it after the cluster, writes it or merges it. */
  async kubeconfig(opts: {
    ns: string;
    name: string;
    merge?: boolean;
    file?: string;
    env?: NodeJS.ProcessEnv;
    /** Keep an `exec` or `auth-provider` user entry of admin.conf (kubectl would run it here). */
    allowExec?: boolean;
  }): Promise<KubeconfigResult> {
    const c = this.require(opts.ns, opts.name);
    if (
      !c.endpoint ||
      !c.nodes.some((n) => n.role === 'control-plane' && n.step !== undefined && n.status !== 'Pending')
    ) {
      throw new ConflictError(`cluster '${c.name}' has no control plane yet (phase ${c.phase})`, {
        hint: `create it first: cbadm k8s create -f …`,
      });
    }
    const { adminConf, cp } = await withControlPlane(this.deps, c, async (ctx) => ({
      adminConf: await runStep(this.bootDeps(c, {}), ctx.first, 'admin-conf', {}),
      cp: ctx.first.rec,
    }));
    // yaml is loaded here only: `k8s list|get` start faster without it.
    const { defaultKubeconfigPath, mergeKubeconfig, readKubeconfig, renameKubeconfig, writeKubeconfig } =
      await import('./kubeconfig.js');
    // Another control plane answered: point the kubeconfig at its own API server (unless the
    // cluster's endpoint is the user's load balancer, which fronts every control plane).
    const first = c.nodes.find((n) => n.role === 'control-plane');
    const direct =
      !c.spec.kubernetes.controlPlaneEndpoint && cp.name !== first?.name && cp.publicIp
        ? `https://${cp.publicIp}:${c.spec.kubernetes.apiPort}`
        : undefined;
    const { config, server } = renameKubeconfig(adminConf, c.name, {
      ...(direct ? { server: direct } : {}),
      ...(opts.allowExec ? { allowExec: true } : {}),
    });
    const merged = opts.merge === true;
    const file =
      opts.file ??
      (merged
        ? defaultKubeconfigPath(opts.env)
        : childPath(join(this.deps.home.root, 'kube'), `${c.ns}-${c.name}.yaml`));
    writeKubeconfig(file, merged ? mergeKubeconfig(readKubeconfig(file), config, false) : config);
    this.update(c, (cur) => ({ ...cur, kubeconfigs: [...new Set([...(cur.kubeconfigs ?? []), file])] }));
    return { cluster: c.name, context: c.name, server, file, merged };
  }
}
