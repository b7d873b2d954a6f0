/**
 * The fault campaign's tools: a seeded random source (the seed is printed, CB_CHAOS_SEED replays
 * it), a killer that SIGKILLs a cbadm process after its k-th cloud call (read from the twin's
 * request log), and an auditor that compares the store's records with what each cloud's own API
 * lists: EC2 through @aws-sdk/client-ec2, GCE and ARM through the drivers (their official SDKs).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeVpcsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { CredentialService, defaultResourceName, SqliteStateStore, homePaths, TAG, type CloudDriver, type Connection, type CredentialMaterial, type Vm } from '@cloud-barista/core';
import { driverRegistry } from '@cloud-barista/drivers';
import type { Cli, RunResult } from './harness.js';

/** mulberry32: small, seedable, good enough to pick kill points. */
export function seededRandom(label: string): { seed: number; next: () => number; int: (lo: number, hi: number) => number } {
  const fromEnv = Number(process.env.CB_CHAOS_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
  console.log(`chaos ${label}: seed ${seed} (replay with CB_CHAOS_SEED=${seed})`);
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/**
 * The credential `cbadm twin connect` stored under that name, read the way cbadm reads it. Every
 * SDK client a test builds against the twin takes its credentials from here, so a change in how the
 * twin authenticates changes one function.
 */
export function storedCredential(home: string, name: string): CredentialMaterial {
  const paths = homePaths(home);
  const store = new SqliteStateStore(paths.db);
  try {
    return new CredentialService(store, paths).material(name);
  } finally {
    store.close();
  }
}

/** The twin's request log: one line per API call, `time id region action status code ms`. */
export class RequestLog {
  constructor(private readonly file: string) {}

  static of(cli: Cli): RequestLog {
    return new RequestLog(join(cli.home, 'twin', 'twin.log'));
  }

  size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /** Lines written since byte `from`. */
  since(from: number): string[] {
    const to = this.size();
    if (to <= from) return [];
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(to - from);
      readSync(fd, buf, 0, buf.length, from);
      const text = buf.toString('utf8');
      return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
    } finally {
      closeSync(fd);
    }
  }

  /** Calls since `from` that concern one of `regions` (GCE names zones `region-x`). */
  countFor(from: number, regions: readonly string[]): number {
    return this.since(from).filter((l) => {
      const region = l.split(' ')[2] ?? '-';
      return regions.some((r) => region === r || region.startsWith(`${r}-`));
    }).length;
  }
}

/** Resolves once `n` calls matching `match` were logged since byte `from` (false if `gaveUp` first). */
export async function waitForCalls(log: RequestLog, from: number, match: (line: string) => boolean, n: number, gaveUp: () => boolean): Promise<boolean> {
  while (!gaveUp()) {
    if (log.since(from).filter(match).length >= n) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

export interface KillResult {
  /** Whether the SIGKILL landed on a running process (false: it had finished first). */
  landed: boolean;
  /** Cloud calls the process had made (in the given regions) when it was killed. */
  calls: number;
  code: number | null;
}

/**
 * Runs `cbadm args` and SIGKILLs it once it has made `k` cloud calls in `regions`; k = 0 kills it
 * after `startupMs` instead, before or around its first call.
 */
export async function killAfterCalls(cli: Cli, log: RequestLog, args: string[], regions: readonly string[], k: number, startupMs = 0): Promise<KillResult> {
  const from = log.size();
  const child = cli.spawnRaw(args);
  child.stdout?.resume();
  child.stderr?.resume();
  let exited = false;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const started = Date.now();
  let calls = 0;
  while (!exited) {
    calls = log.countFor(from, regions);
    if (k > 0 ? calls >= k : Date.now() - started >= startupMs) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const { code, signal } = await done;
  return { landed: signal === 'SIGKILL', calls, code };
}

/** One cloud instance as its cloud's API lists it. */
export interface CloudVm {
  providerId: string;
  /** The cb-vm tag (label on GCE): which VM record it belongs to. */
  vm: string;
  /** A common status: Running, Suspended, Terminated, or the transitional ones. */
  status: string;
}

const EC2_STATUS: Record<string, string> = { pending: 'Creating', running: 'Running', stopping: 'Suspending', stopped: 'Suspended', 'shutting-down': 'Terminating', terminated: 'Terminated' };

/** What the clouds hold for the campaign's connections, through each cloud's own API. */
export class CloudAudit {
  private readonly drivers = new Map<string, Promise<CloudDriver>>();
  private readonly ec2 = new Map<string, EC2Client>();
  private readonly store: SqliteStateStore;

  constructor(private readonly home: string) {
    this.store = new SqliteStateStore(homePaths(home).db);
  }

  connection(name: string): Connection {
    const c = this.store.getConnection(name);
    if (!c) throw new Error(`no connection ${name}`);
    return c;
  }

  private ec2For(c: Connection): EC2Client {
    let client = this.ec2.get(c.name);
    if (!client) {
      const cred = storedCredential(this.home, c.credential!);
      if (cred.kind !== 'aws-keys') throw new Error(`${c.name}: expected aws-keys, got ${cred.kind}`);
      client = new EC2Client({ endpoint: c.endpoint!, region: c.region, credentials: { accessKeyId: cred.accessKeyId, secretAccessKey: cred.secretAccessKey } });
      this.ec2.set(c.name, client);
    }
    return client;
  }

  private driver(c: Connection): Promise<CloudDriver> {
    let d = this.drivers.get(c.name);
    if (!d) {
      d = driverRegistry.load(c.provider).then((factory) => factory({ connection: c, credentials: storedCredential(this.home, c.credential!) }));
      this.drivers.set(c.name, d);
    }
    return d;
  }

  /** Instances tagged with this MCIS on the connection, terminated ones left out. */
  async instances(connection: string, mcis: string): Promise<CloudVm[]> {
    const c = this.connection(connection);
    if (c.provider === 'aws') {
      const client = this.ec2For(c);
      const out: Instance[] = [];
      let NextToken: string | undefined;
      do {
        const r = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${TAG.mcis}`, Values: [mcis] }], MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
        for (const res of r.Reservations ?? []) out.push(...(res.Instances ?? []));
        NextToken = r.NextToken;
      } while (NextToken);
      return out
        .map((i) => ({ providerId: i.InstanceId!, vm: i.Tags?.find((t) => t.Key === TAG.vm)?.Value ?? '', status: EC2_STATUS[i.State?.Name ?? ''] ?? `?${i.State?.Name}` }))
        .filter((i) => i.status !== 'Terminated');
    }
    const found = await (await this.driver(c)).vms.findByTags({ [TAG.mcis]: mcis });
    return found.map((i) => ({ providerId: i.providerId, vm: i.tags[TAG.vm] ?? '', status: i.status })).filter((i) => i.status !== 'Terminated');
  }

  /** The default network and key pair cbadm made on the connection, if they are still there. */
  async defaults(connection: string): Promise<string[]> {
    const c = this.connection(connection);
    const name = defaultResourceName(connection);
    if (c.provider === 'aws') {
      const client = this.ec2For(c);
      const vpcs = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: `tag:${TAG.connection}`, Values: [connection] }] }));
      const keys = await client.send(new DescribeKeyPairsCommand({ Filters: [{ Name: `tag:${TAG.connection}`, Values: [connection] }] }));
      return [...(vpcs.Vpcs ?? []).map((v) => `vpc ${v.VpcId}`), ...(keys.KeyPairs ?? []).map((k) => `keypair ${k.KeyName}`)];
    }
    const d = await this.driver(c);
    const net = await d.network.findDefault({ name, tags: { [TAG.managed]: 'true', [TAG.connection]: connection } });
    return [...(net ? [`network ${net.networkId}`] : []), ...((await d.keys.hasKeyPair(name)) ? [`keypair ${name}`] : [])];
  }

  records(mcis: string, ns = 'default'): { exists: boolean; deleting: boolean; vms: Vm[] } {
    const m = this.store.getMcis(ns, mcis);
    return { exists: !!m, deleting: !!m?.deleting, vms: m ? this.store.listVms(ns, mcis) : [] };
  }

  /**
   * Records against clouds for one MCIS: duplicates (two live instances for one VM), orphans (a live
   * instance no record points to), dangling records (a live record whose instance the cloud does
   * not list, or a record past Creating without one), and status disagreements.
   */
  async check(mcis: string, connections: readonly string[]): Promise<Audit> {
    const rec = this.records(mcis);
    const cloud = (await Promise.all(connections.map((c) => this.instances(c, mcis)))).flat();
    const byVm = new Map<string, CloudVm[]>();
    for (const i of cloud) byVm.set(i.vm, [...(byVm.get(i.vm) ?? []), i]);
    const recordedIds = new Set(rec.vms.flatMap((v) => (v.providerId ? [v.providerId] : [])));
    const cloudById = new Map(cloud.map((i) => [i.providerId, i]));
    const live = rec.vms.filter((v) => v.status !== 'Terminated');
    return {
      records: rec.vms.length,
      cloud: cloud.length,
      duplicates: [...byVm.values()].filter((l) => l.length > 1).flatMap((l) => l.slice(1).map((i) => `${i.vm} ${i.providerId}`)),
      orphans: cloud.filter((i) => !recordedIds.has(i.providerId)).map((i) => `${i.vm} ${i.providerId} (${i.status})`),
      // A Failed record whose launch the cloud refused has no instance, and says so.
      dangling: live.filter((v) => (v.providerId ? !cloudById.has(v.providerId) : v.status !== 'Failed')).map((v) => `${v.name} ${v.providerId ?? '(no id)'} (${v.status})`),
      disagree: live.flatMap((v) => {
        const i = v.providerId ? cloudById.get(v.providerId) : undefined;
        return i && i.status !== v.status ? [`${v.name}: record ${v.status}, cloud ${i.status}`] : [];
      }),
      statuses: rec.vms.map((v) => v.status).sort(),
    };
  }

  /** Every MCIS with its VMs and every connection, as JSON: equal snapshots mean nothing changed. */
  storeSnapshot(): string {
    return JSON.stringify({ mcis: this.store.listMcis().map((m) => ({ m, vms: this.store.listVms(m.ns, m.name) })), connections: this.store.listConnections() });
  }

  async close(): Promise<void> {
    for (const c of this.ec2.values()) c.destroy();
    for (const d of this.drivers.values()) (await d).close();
    this.store.close();
  }
}

export interface Audit {
  records: number;
  cloud: number;
  duplicates: string[];
  orphans: string[];
  dangling: string[];
  disagree: string[];
  statuses: string[];
}

/** The audit of a converged MCIS: `count` VMs, all `status` in record and cloud, nothing else. */
export function converged(count: number, status: string): Audit {
  return { records: count, cloud: count, duplicates: [], orphans: [], dangling: [], disagree: [], statuses: Array<string>(count).fill(status) };
}

/** Fails with the command's output when its exit code is not one of `codes`. */
export function expectExit(r: RunResult, codes: number[], what: string): void {
  if (!codes.includes(r.code ?? -1)) throw new Error(`${what}: exit ${r.code}, wanted ${codes.join(' or ')}\n${r.stderr}\n${r.stdout}`);
}

/** The twin every campaign file runs on (fast boot and stop, its connections), its request log and the auditor. */
export async function startCampaignTwin(cli: Cli): Promise<{ adminUrl: string; log: RequestLog; audit: CloudAudit }> {
  const up = await cli.json<{ adminUrl: string }>(['twin', 'up', '--boot-delay', '300ms', '--stop-delay', '200ms']);
  await cli.json(['twin', 'connect']);
  return { adminUrl: up.adminUrl, log: RequestLog.of(cli), audit: new CloudAudit(cli.home) };
}
