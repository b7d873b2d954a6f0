/**
 * The GCE side of the twin: projects (created on first use, each with Google's default network),
 * request dispatch with faults, operations and their goals, request-id idempotency, snapshot form.
 */
import { randomBytes } from 'node:crypto';
import { findGcpRegion, numericId, PUBLIC_IMAGE_PROJECTS, regionOfZone } from '../data/gcp.js';
import type { FaultDecision } from '../faults.js';
import type { BackedVm } from '../vm/lifecycle.js';
import type { GceCtx, GceEnv, GceLifecycle, NewOperation, OperationTarget } from './context.js';
import { faultError, GceError, isOperationErrorCode, notFound, OPERATION_ERRORS } from './errors.js';
import { Links } from './links.js';
import type { GceFirewall, GceInstance, GceNetwork, GceOperation, GceProject, GceSubnetwork } from './model.js';
import { addDefaultNetwork } from './network.js';
import { renderOperation, scopePath } from './operations.js';
import { matchRoute } from './routes.js';
import { sleep } from '../sleep.js';
import { EngineBase, type EngineHooks } from '../engine-base.js';

export interface GceEngineOptions extends EngineHooks<GceLifecycle> {
  /** The twin's boot delay: PROVISIONING for its first half, STAGING for the rest. */
  bootDelayMs: number;
  /** How long network, firewall and label operations take (default 100 ms). */
  opDelayMs?: number;
  /** Finished operations are forgotten after this long (default 1 hour). */
  operationRetentionMs?: number;
}

export interface GceRequest {
  method: string;
  /** Path below `/compute/v1/`, e.g. `projects/p/zones/z/instances`. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  links: Links;
  user: string;
  gone: () => boolean;
  /** Decides faults for the resolved method and region (the HTTP layer owns the rules). */
  decide(method: string, region: string, zone?: string): FaultDecision;
  isDown(region: string): boolean;
}

export interface GceAnswer {
  status: number;
  body: unknown;
  /** API method (`instances.insert`) and region, for the request log. */
  method?: string;
  region?: string;
}

const PROJECT_RE = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUEST_ID_TTL_MS = 3_600_000;

/** What state.json holds for GCE. */
export interface GceSnapshot {
  seq: number;
  projects: Array<{
    id: string;
    number: string;
    createdAt: number;
    networks: [string, GceNetwork][];
    subnetworks: [string, GceSubnetwork][];
    firewalls: [string, GceFirewall][];
    instances: [string, GceInstance][];
    operations: [string, GceOperation][];
    requestIds: [string, string][];
  }>;
}


function operationName(now: number): string {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return `operation-${now}-${hex(7).slice(0, 13)}-${hex(4)}-${hex(4)}`;
}

export class GceEngine extends EngineBase<GceLifecycle> implements GceEnv {
  private readonly projects = new Map<string, GceProject>();
  private closing = false;
  private readonly opDelayMs: number;

  constructor(private readonly o: GceEngineOptions) {
    super(o);
    this.opDelayMs = o.opDelayMs ?? 100;
  }

  get bootDelayMs(): number {
    return this.o.bootDelayMs;
  }

  nextId(): string {
    return numericId(`gce/${this.nextSeq()}/${randomBytes(4).toString('hex')}`);
  }

  /** The project's data, created on first use with the default network every project starts with. */
  project(id: string): GceProject {
    let p = this.projects.get(id);
    if (!p) {
      p = {
        id,
        number: numericId(`project/${id}`).slice(0, 12),
        createdAt: this.now(),
        networks: new Map(),
        subnetworks: new Map(),
        firewalls: new Map(),
        instances: new Map(),
        operations: new Map(),
        requestIds: new Map(),
      };
      this.projects.set(id, p);
      if (!PUBLIC_IMAGE_PROJECTS.includes(id)) addDefaultNetwork(this, p);
      this.changed();
    }
    this.sweep(p);
    return p;
  }

  /** Deleted instances leave once their VM is gone; old finished operations are forgotten. */
  private sweep(p: GceProject): void {
    const now = this.now();
    const retention = this.o.operationRetentionMs ?? 3_600_000;
    let changed = false;
    for (const [key, i] of p.instances) {
      if (i.vm.state === 'terminated') {
        p.instances.delete(key);
        changed = true;
      }
    }
    for (const [name, op] of p.operations) {
      if (op.status === 'DONE' && op.endTime !== undefined && now - op.endTime > retention) {
        p.operations.delete(name);
        changed = true;
      }
    }
    for (const [rid, name] of p.requestIds) {
      const op = p.operations.get(name);
      if (!op || now - op.insertTime > REQUEST_ID_TTL_MS) {
        p.requestIds.delete(rid);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  /** Every project with data, for status and snapshots. */
  allProjects(): GceProject[] {
    return [...this.projects.values()];
  }

  /** Every instance, over all projects (settled first), for the twin's admin API. */
  allInstances(): GceInstance[] {
    return [...this.projects.values()].flatMap((p) => {
      this.sweep(p);
      return [...p.instances.values()];
    });
  }

  /** Instances by GCE status, over all projects. */
  instanceCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const p of this.projects.values()) {
      this.sweep(p);
      for (const i of p.instances.values()) {
        const s = i.vm.state === 'running' ? 'RUNNING' : i.vm.state === 'stopped' ? 'TERMINATED' : i.vm.state === 'pending' ? 'STAGING' : 'STOPPING';
        counts[s] = (counts[s] ?? 0) + 1;
      }
    }
    return counts;
  }

  newOperation(p: GceProject, init: NewOperation, user: string): GceOperation {
    const now = this.now();
    const op: GceOperation = {
      id: this.nextId(),
      name: operationName(now),
      scope: init.scope,
      operationType: init.operationType,
      targetLink: init.targetLink,
      targetId: init.targetId,
      user,
      insertTime: now,
      startTime: now,
      doneAt: now + this.opDelayMs,
      goal: init.goal ?? { kind: 'time' },
      status: 'RUNNING',
      ...(init.error
        ? {
            error: { code: init.error.code, message: init.error.message },
            httpErrorStatusCode: init.error.status,
            httpErrorMessage: init.error.statusText,
          }
        : {}),
    };
    p.operations.set(op.name, op);
    this.changed();
    return op;
  }

  refresh(p: GceProject, op: GceOperation): GceOperation {
    if (op.status === 'DONE') return op;
    const now = this.now();
    if (now < op.doneAt || !this.goalReached(p, op)) return op;
    op.status = 'DONE';
    op.endTime = now;
    this.changed();
    return op;
  }

  private goalReached(p: GceProject, op: GceOperation): boolean {
    const g = op.goal;
    if (g.kind === 'time') return true;
    const i = p.instances.get(g.key);
    const vm: BackedVm | undefined = i?.vm;
    if (!vm || vm.state === 'terminated') return true;
    switch (g.until) {
      case 'running':
        // Done too when something else (a stop) superseded the start.
        return vm.state !== 'pending';
      case 'stopped':
        return vm.state === 'stopped';
      case 'gone':
        return false;
    }
  }

  async waitDone(p: GceProject, op: GceOperation, maxMs: number, gone: () => boolean): Promise<GceOperation> {
    const deadline = this.now() + maxMs;
    while (this.refresh(p, op).status !== 'DONE' && this.now() < deadline && !gone() && !this.closing) {
      await sleep(Math.min(25, Math.max(1, op.doneAt - this.now())));
      this.sweep(p);
    }
    return op;
  }

  /** Ends long polls (operation waits) so the HTTP server can close. */
  close(): void {
    this.closing = true;
  }

  /** Runs one REST call; GceError answers carry Google's error JSON. */
  async handle(req: GceRequest): Promise<GceAnswer> {
    const segments = req.path.split('/');
    if (segments[0] !== 'projects' || !segments[1]) throw notFound(req.path);
    const projectId = segments[1];
    if (!PROJECT_RE.test(projectId)) {
      throw new GceError('invalid', `Invalid value '${projectId}'. Values must match the following regular expression: '[a-z][-a-z0-9]{4,28}[a-z0-9]'`, 400, { location: 'project', locationType: 'parameter' });
    }
    const { route, params, pathKnown } = matchRoute(req.method, segments.slice(2));
    if (!route) {
      if (pathKnown) throw new GceError('badRequest', `Method ${req.method} is not allowed on ${req.path}`, 405);
      throw notFound(req.path);
    }
    const zone = params.zone;
    const region = zone ? regionOfZone(zone)?.name : params.region;
    const where = region ?? 'global';
    const answer = { method: route.id, ...(region ? { region } : {}) };
    if (region && findGcpRegion(region) && req.isDown(region)) throw new GceError('backendError', 'Backend Error', 503);
    const fault = req.decide(route.id, where, zone);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    const p = this.project(projectId);
    const ctx: GceCtx = { env: this, project: p, params, query: req.query, body: req.body, links: req.links, user: req.user, gone: req.gone };
    const scope = zone ? { zone } : params.region ? { region: params.region } : { global: true as const };

    if (fault.code && !(route.operation && isOperationErrorCode(fault.code))) {
      if (isOperationErrorCode(fault.code)) {
        const e = OPERATION_ERRORS[fault.code];
        throw new GceError('backendError', e?.message(scopePath(projectId, scope)) ?? fault.code, e?.status ?? 400);
      }
      throw faultError(fault.code);
    }
    if (!route.operation) return { ...answer, status: 200, body: await route.handler(ctx) };

    const requestId = req.query.get('requestId');
    if (requestId !== null) {
      if (!UUID_RE.test(requestId) || /^[0-]+$/.test(requestId)) {
        throw new GceError(
          'invalid',
          `Invalid value for field 'requestId': '${requestId}'. The request ID must be a valid UUID with the exception that zero UUID is not supported (00000000-0000-0000-0000-000000000000).`,
        );
      }
      const earlier = p.operations.get(p.requestIds.get(requestId) ?? '');
      if (earlier) return { ...answer, status: 200, body: renderOperation(req.links, p, this.refresh(p, earlier), true) };
    }

    let op: GceOperation;
    if (fault.code) {
      // Capacity and quota failures arrive in the finished operation, not as an HTTP error.
      const e = OPERATION_ERRORS[fault.code];
      const zonePath = zone ? `projects/${projectId}/zones/${zone}` : scopePath(projectId, scope);
      // The target: the resource to insert, the one deleted or patched, or the one acted on (path without the action verb).
      const targetLink =
        route.operation === 'insert'
          ? `${req.path}/${typeof req.body.name === 'string' ? req.body.name : ''}`
          : route.operation === 'delete' || route.operation === 'patch'
            ? req.path
            : segments.slice(0, -1).join('/');
      op = this.newOperation(
        p,
        {
          scope,
          operationType: route.operation,
          targetLink,
          targetId: this.nextId(),
          error: {
            code: fault.code,
            message: e?.message(zonePath) ?? fault.code,
            status: e?.status ?? 400,
            statusText: e?.statusText ?? 'BAD REQUEST',
          },
        },
        req.user,
      );
    } else {
      const t = (await route.handler(ctx)) as OperationTarget & { goal?: NewOperation['goal'] };
      op = this.newOperation(p, { scope, operationType: route.operation, targetLink: t.target, targetId: t.targetId, ...(t.goal ? { goal: t.goal } : {}) }, req.user);
    }
    if (requestId !== null) {
      op.requestId = requestId;
      p.requestIds.set(requestId, op.name);
    }
    this.changed();
    return { ...answer, status: 200, body: renderOperation(req.links, p, op, true) };
  }

  snapshot(): GceSnapshot {
    return {
      seq: this.seq,
      projects: this.allProjects().map((p) => ({
        id: p.id,
        number: p.number,
        createdAt: p.createdAt,
        networks: [...p.networks],
        subnetworks: [...p.subnetworks],
        firewalls: [...p.firewalls],
        instances: [...p.instances],
        operations: [...p.operations],
        requestIds: [...p.requestIds],
      })),
    };
  }

  /** Loads a snapshot and picks every VM up where it was (booting, running, stopping…). */
  restore(s: GceSnapshot): void {
    this.seq = s.seq;
    for (const e of s.projects) {
      const p: GceProject = {
        id: e.id,
        number: e.number,
        createdAt: e.createdAt,
        networks: new Map(e.networks),
        subnetworks: new Map(e.subnetworks),
        firewalls: new Map(e.firewalls),
        instances: new Map(e.instances),
        operations: new Map(e.operations),
        requestIds: new Map(e.requestIds),
      };
      this.projects.set(p.id, p);
      this.o.lifecycle.resume({ instances: new Map([...p.instances].map(([k, i]) => [k, i.vm])) });
    }
  }
}
