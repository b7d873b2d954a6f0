/**
 * The collector: pulls every registered pull-mode agent over SSH (one long-lived stream per VM,
 * resumed from the stored cursor after any break), accepts pushes over HTTP, and writes the store in
 * batches: samples and cursors in one transaction, so a crash replays instead of losing. It also
 * keeps 1-minute rollups, applies retention and evaluates alerts. One collector per store: it holds
 * a lock in the state store for its lifetime.
 */
import type { Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { Core } from '@cloud-barista/core';
import { scriptCommand } from '@cloud-barista/agent/protocol';
import { agentScript } from '@cloud-barista/agent/script';
import { evaluateAlerts, runAction } from '../alerts/alerts.js';
import { refKey, type VmRef } from '@cloud-barista/agent/sample';
import type { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import type { AgentRecord } from '@cloud-barista/agent/store/types';
import { reach, refOfVm, selectTargets } from '@cloud-barista/agent/targets';
import { startPull, type Puller, type PullDeps } from './pull-session.js';
import { PushIntake } from './push-intake.js';
import { startPushServer, type PushLimits } from './push-server.js';
import { CpuMeter, type CollectorStats } from './stats.js';
import { WriteQueue } from './write-queue.js';

export const COLLECTOR_LOCK = 'cbmon/collector';
export const STATS_KEY = 'collector';

export interface CollectorOptions {
  core: Core;
  store: MetricsStore;
  /** Only agents of this namespace, and of these MCIS (default: every agent in the store). */
  ns?: string;
  mcis?: string[];
  /** Accept pushes on this address (HTTPS with `tls`). */
  listen?: { host: string; port: number; tls?: { cert: string | Buffer; key: string | Buffer } };
  pushLimits?: Partial<PushLimits>;
  /** Raw samples are kept this long (default 7 d); 1-minute rollups `rollupRetentionMs` (default 90 d). */
  retentionMs?: number;
  rollupRetentionMs?: number;
  flushMs?: number;
  syncMs?: number;
  housekeepingMs?: number;
  alertEvalMs?: number;
  statsMs?: number;
  /** Evaluate alert rules (default true). */
  alerts?: boolean;
  /** A push agent silent this long (and at least 4 intervals) on a Running VM is started again (default 60 s). */
  reviveAfterMs?: number;
  /** How often push agents are checked for silence (default 15 s). */
  reviveEveryMs?: number;
  log: (line: string) => void;
}

export class Collector {
  private readonly o: Required<Omit<CollectorOptions, 'ns' | 'mcis' | 'listen' | 'pushLimits'>> &
    Pick<CollectorOptions, 'ns' | 'mcis' | 'listen' | 'pushLimits'>;
  private readonly pullers = new Map<string, Puller>();
  private readonly writes: WriteQueue;
  private readonly push: PushIntake;
  private readonly pullDeps: PullDeps;
  private readonly cpu = new CpuMeter();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly vmCache = new Map<
    string,
    { at: number; vms: Map<string, { subgroup: string; csp: string; region: string }> | undefined }
  >();
  private pushServer: Server | TlsServer | undefined;
  private pushUrl: string | null = null;
  private readonly startedAt = new Date().toISOString();
  private storedAtStats = 0;
  private statsAt = Date.now();
  private lost = 0;
  private rollups = 0;
  private alertsSent = 0;
  private lastCpu = 0;
  private readonly busy = new Set<string>();
  private readonly unpullable = new Map<string, string>();
  private readonly revivedAt = new Map<string, number>();
  private stopping = false;

  constructor(opts: CollectorOptions) {
    this.o = {
      retentionMs: 7 * 86_400_000,
      rollupRetentionMs: 90 * 86_400_000,
      flushMs: 200,
      syncMs: 5_000,
      housekeepingMs: 60_000,
      alertEvalMs: 5_000,
      statsMs: 2_000,
      alerts: true,
      reviveAfterMs: 60_000,
      reviveEveryMs: 15_000,
      ...opts,
    };
    // better-sqlite3 waits for a busy store synchronously: wait briefly and retry on the next flush
    // instead of freezing pulls, pushes and health checks behind another writer.
    this.o.store.setBusyTimeout(100);
    this.writes = new WriteQueue(this.o.store, this.o.log);
    const enqueue = this.writes.enqueue.bind(this.writes);
    const onLost = (n: number): void => {
      this.lost += n;
    };
    this.push = new PushIntake({ store: this.o.store, enqueue, onLost, log: this.o.log });
    this.pullDeps = { core: this.o.core, enqueue, onLost, log: this.o.log };
  }

  /**
   * Takes the collector lock (ConflictError, exit 5, when another collector runs), opens the push
   * listener if asked, and starts pulling. If this throws, nothing is left running.
   */
  async start(): Promise<{ pushUrl: string | null }> {
    this.o.core.store.acquireLock(COLLECTOR_LOCK, 'cbmon collector serve');
    try {
      if (this.o.listen) {
        const { server, url } = await startPushServer({
          ...this.o.listen,
          tokenOwner: (t) => this.o.store.tokenOwner(t),
          agentOf: (ns, mcis, vm) => this.o.store.getAgent(ns, mcis, vm),
          vmsOf: (ns, mcis) => this.vmsOf(ns, mcis),
          ...(this.o.pushLimits ? { limits: this.o.pushLimits } : {}),
          accept: (samples) => this.push.accept(samples),
          log: this.o.log,
        });
        this.pushServer = server;
        this.pushUrl = url;
      }
      // What an earlier collector stored but did not roll up.
      this.rollups += this.o.store.rollup(this.o.store.minutesWithoutRollup(Date.now()));
    } catch (e) {
      this.o.core.store.releaseLock(COLLECTOR_LOCK);
      throw e;
    }
    this.sync();
    this.every(this.o.flushMs, 'flush', async () => this.writes.flush());
    this.every(this.o.syncMs, 'sync', async () => this.sync());
    this.every(this.o.housekeepingMs, 'housekeeping', async () => this.housekeeping(false));
    this.every(this.o.statsMs, 'stats', async () => this.o.store.putKv(STATS_KEY, this.stats()));
    if (this.o.alerts) this.every(this.o.alertEvalMs, 'alerts', () => this.evaluateAlerts());
    this.every(this.o.reviveEveryMs, 'revive', () => this.revivePushAgents());
    this.o.store.putKv(STATS_KEY, this.stats());
    return { pushUrl: this.pushUrl };
  }

  /** Stops pulling, stores what is queued, rolls up, releases the lock. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    for (const p of this.pullers.values()) p.ac.abort();
    await Promise.all([...this.pullers.values()].map((p) => p.done));
    if (this.pushServer) {
      const server = this.pushServer;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    try {
      this.writes.flush();
      this.housekeeping(true);
      this.o.store.putKv(STATS_KEY, { ...this.stats(), agents: [] });
    } finally {
      this.o.core.store.releaseLock(COLLECTOR_LOCK);
    }
  }

  stats(): CollectorStats {
    const now = Date.now();
    const dt = (now - this.statsAt) / 1000;
    if (dt >= 0.5) {
      this.lastCpu = this.cpu.sample();
      this.statsRate = dt > 0 ? (this.writes.stored - this.storedAtStats) / dt : 0;
      this.storedAtStats = this.writes.stored;
      this.statsAt = now;
    }
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date(now).toISOString(),
      pushUrl: this.pushUrl,
      agents: [...[...this.pullers.values()].map((p) => p.rt), ...this.push.agents.values()].sort((a, b) =>
        `${a.mcis}/${a.vm}`.localeCompare(`${b.mcis}/${b.vm}`, 'en', { numeric: true }),
      ),
      stored: this.writes.stored,
      rate: Math.round(this.statsRate * 100) / 100,
      lost: this.lost,
      latencyMs: this.writes.latency.summary(),
      cpuPercent: Math.round(this.lastCpu * 10) / 10,
      rollups: this.rollups,
      alertsSent: this.alertsSent,
    };
  }

  private statsRate = 0;

  /** Runs `task` every `ms`, never two of the same at once; errors are logged, not fatal. */
  private every(ms: number, name: string, task: () => Promise<void>): void {
    const t = setInterval(() => {
      if (this.busy.has(name) || this.stopping) return;
      this.busy.add(name);
      task()
        .catch((e: unknown) => this.o.log(`${name}: ${(e as Error).message}`))
        .finally(() => this.busy.delete(name));
    }, ms);
    this.timers.push(t);
  }

  private inScope(a: Pick<AgentRecord, 'ns' | 'mcis'>): boolean {
    return (this.o.ns === undefined || a.ns === this.o.ns) && (!this.o.mcis || this.o.mcis.includes(a.mcis));
  }

  /** Starts pulling agents that appeared, stops those removed or switched to push. */
  private sync(): void {
    const agents = this.o.store.listAgents(this.o.ns ? { ns: this.o.ns } : {}).filter((a) => this.inScope(a));
    const wanted = new Map(agents.filter((a) => a.mode === 'pull').map((a) => [refKey(a), a]));
    for (const [key, p] of this.pullers) {
      if (!wanted.has(key)) {
        p.ac.abort();
        this.pullers.delete(key);
        this.o.log(`${key}: no longer pulled (agent removed or switched to push)`);
      }
    }
    for (const [key, a] of wanted) if (!this.pullers.has(key)) this.startPuller(a);
  }

  private startPuller(a: AgentRecord): void {
    const key = refKey(a);
    let ref: VmRef;
    try {
      ref = selectTargets(this.o.core, a.ns, a.mcis, { vm: a.vm })[0]!.ref;
    } catch (e) {
      // Say it once, not on every sync: the MCIS was deleted, or the VM removed from it.
      const why = (e as Error).message;
      if (this.unpullable.get(key) !== why) this.o.log(`${key}: ${why}; not pulled`);
      this.unpullable.set(key, why);
      return;
    }
    this.unpullable.delete(key);
    this.pullers.set(key, startPull(this.pullDeps, a, ref));
  }

  /**
   * Nothing pulls a push agent, so after a reboot (or whatever else killed its sampler) it stays
   * silent where a pulled one would be restarted by the next stream. A push agent on a Running VM
   * that sent nothing for `reviveAfterMs` (and at least four of its intervals) is started again
   * over SSH; `agent.sh start` leaves a running sampler alone.
   */
  private async revivePushAgents(): Promise<void> {
    const now = Date.now();
    const startedAt = Date.parse(this.startedAt);
    const silent = this.o.store
      .listAgents(this.o.ns ? { ns: this.o.ns } : {})
      .filter((a) => a.mode === 'push' && this.inScope(a))
      .filter((a) => {
        const rt = this.push.agents.get(refKey(a));
        // Silence counts from the last sample, the install, this collector's start or the last revive.
        const heard = Math.max(
          rt?.lastSampleAt ? Date.parse(rt.lastSampleAt) : 0,
          a.lastTs ?? 0,
          Date.parse(a.installedAt),
          startedAt,
          this.revivedAt.get(refKey(a)) ?? 0,
        );
        return now - heard >= Math.max(this.o.reviveAfterMs, a.intervalS * 4_000);
      });
    await Promise.all(
      silent.map(async (a) => {
        const key = refKey(a);
        this.revivedAt.set(key, now);
        let where: ReturnType<typeof reach>;
        try {
          where = reach(this.o.core, selectTargets(this.o.core, a.ns, a.mcis, { vm: a.vm })[0]!.ref);
        } catch {
          return; // the VM or its MCIS is gone: nothing to start
        }
        if ('wait' in where) return; // not Running: it starts with the VM's next stream or install
        const r = await this.o.core.exec.exec(where.target, scriptCommand('start'), {
          stdin: agentScript(),
          timeoutMs: 30_000,
        });
        this.o.log(
          r.exitCode === 0
            ? `${key}: push agent silent for ${Math.round((now - Math.max(a.lastTs ?? 0, Date.parse(a.installedAt), startedAt)) / 1000)} s on a Running VM; started it again`
            : `${key}: could not start the push agent (exit ${String(r.exitCode)}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
        );
      }),
    );
  }

  /** Rolls up finished minutes (all of them when `final`) and drops what retention says to. */
  private housekeeping(final: boolean): void {
    const now = Date.now();
    this.rollups += this.writes.rollUp(final, now);
    if (!final) this.o.store.prune(now - this.o.retentionMs, now - this.o.rollupRetentionMs);
  }

  private async evaluateAlerts(): Promise<void> {
    await evaluateAlerts(this.o.store, Date.now(), async (n, action) => {
      this.alertsSent++;
      this.o.log(await runAction(action, n));
    });
  }

  private vmsOf(
    ns: string,
    mcis: string,
  ): Map<string, { subgroup: string; csp: string; region: string }> | undefined {
    const key = `${ns}/${mcis}`;
    const hit = this.vmCache.get(key);
    if (hit && Date.now() - hit.at < 5_000) return hit.vms;
    let vms: Map<string, { subgroup: string; csp: string; region: string }> | undefined;
    try {
      const view = this.o.core.mcis.view(ns, mcis);
      vms = new Map(
        view.vms.map((v) => [
          v.name,
          (({ subgroup, csp, region }) => ({ subgroup, csp, region }))(refOfVm(view, v)),
        ]),
      );
    } catch {
      vms = undefined;
    }
    this.vmCache.set(key, { at: Date.now(), vms });
    return vms;
  }
}
