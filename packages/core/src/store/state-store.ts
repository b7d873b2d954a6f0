/**
 * The state store, as one port per concern. SQLite is the embedded default; each port can be backed
 * by another store (etcd, for teams sharing state) on its own. Every mutation is atomic on its own:
 * two CLI processes never lose an update. Services take the narrowest port they use.
 */
import type { BenchmarkRecord, CatalogSource, ImageRecord, LatencyEntry, LatencySource, SpecRecord } from '../records/catalog.js';
import type { K8sClusterRecord } from '../records/k8s.js';
import type { Connection, Credential, ManagedResource, Mcis, Vm } from '../model.js';

export interface LockInfo {
  key: string;
  owner: string;
  pid: number;
  host: string;
  acquiredAt: string;
}

/** Connections and the credentials they name. */
export interface ConnectionStore {
  putConnection(c: Connection): void;
  getConnection(name: string): Connection | undefined;
  listConnections(): Connection[];
  deleteConnection(name: string): boolean;

  putCredential(c: Credential): void;
  getCredential(name: string): Credential | undefined;
  listCredentials(): Credential[];
  deleteCredential(name: string): boolean;
}

/** MCIS records and their VMs, including each VM's pending intent (its client token). */
export interface McisStore {
  /** Inserts a new MCIS; throws ConflictError when one of that name exists in the namespace. */
  createMcis(m: Mcis): void;
  getMcis(ns: string, name: string): Mcis | undefined;
  listMcis(ns?: string): Mcis[];
  /** Applies `patch` to the stored record atomically; returns the result. */
  updateMcis(ns: string, name: string, patch: (m: Mcis) => Mcis): Mcis;
  /** Deletes the MCIS and its VM records. */
  deleteMcis(ns: string, name: string): boolean;

  putVm(ns: string, mcis: string, vm: Vm): void;
  getVm(ns: string, mcis: string, name: string): Vm | undefined;
  listVms(ns: string, mcis: string): Vm[];
  /** Read-modify-write of one VM record inside one write transaction. */
  updateVm(ns: string, mcis: string, name: string, patch: (vm: Vm) => Vm): Vm;
  deleteVm(ns: string, mcis: string, name: string): boolean;
  /** Connections used by any VM of any MCIS (for default resource clean-up). */
  connectionsInUse(): Set<string>;
}

/** Shared per-connection cloud objects (VPC, subnet, security group, key pair) that VMs reuse. */
export interface ResourceStore {
  getResource(connection: string, kind: ManagedResource['kind']): ManagedResource | undefined;
  listResources(): ManagedResource[];
  putResource(r: ManagedResource): void;
  deleteResource(connection: string, kind: ManagedResource['kind']): boolean;
}

export interface LockStore {
  /**
   * Takes a named lock for this process; throws ConflictError naming the holder when a live process
   * holds it. A lock whose process died is taken over, so a killed command can be re-run.
   */
  acquireLock(key: string, owner: string): void;
  releaseLock(key: string): void;
  getLock(key: string): LockInfo | undefined;
}

/** Specs, images and prices per provider region, and the inter-region latency matrix. */
export interface CatalogStore {
  /** Replaces one provider region's catalog (specs, images, where and when they came from) atomically. */
  replaceCatalog(source: CatalogSource, specs: readonly SpecRecord[], images: readonly ImageRecord[]): void;
  listSpecRecords(q?: { provider?: string; region?: string }): SpecRecord[];
  listImageRecords(q?: { provider?: string; region?: string }): ImageRecord[];
  listCatalogSources(): CatalogSource[];
  /** Replaces the measured inter-region latency matrix. */
  replaceLatency(entries: readonly LatencyEntry[], source: LatencySource): void;
  listLatency(): LatencyEntry[];
  getLatencySource(): LatencySource | undefined;
}

export interface K8sStore {
  /** Inserts a new cluster record; throws ConflictError when one of that name exists in the namespace. */
  createCluster(c: K8sClusterRecord): void;
  getCluster(ns: string, name: string): K8sClusterRecord | undefined;
  listClusters(ns?: string): K8sClusterRecord[];
  /** Read-modify-write of one cluster record inside one write transaction. */
  updateCluster(ns: string, name: string, patch: (c: K8sClusterRecord) => K8sClusterRecord): K8sClusterRecord;
  deleteCluster(ns: string, name: string): boolean;
}

export interface BenchmarkStore {
  /** Keeps the newest benchmark result per (provider, region, spec). */
  putBenchmark(r: BenchmarkRecord): void;
  listBenchmarks(): BenchmarkRecord[];
}

/** Every port at once, for the callers that need them all (the core's wiring, recovery, tests). */
export interface StateStore extends ConnectionStore, McisStore, ResourceStore, LockStore, CatalogStore, K8sStore, BenchmarkStore {
  close(): void;
}
