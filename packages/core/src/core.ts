/**
 * Wires the core services together for one process: store under $CB_HOME, credentials,
 * connections, the MCIS orchestrator and the SSH executor. The driver registry is passed in, so
 * the core imports no cloud SDK.
 */
import { CatalogService } from './catalog/service.js';
import { ConnectionService } from './connections.js';
import { CredentialService } from './credentials.js';
import type { DriverRegistry, PermissionCheck } from './driver/port.js';
import { ensurePrivateDir, homePaths, resolveHome, type HomePaths } from './home.js';
import type { K8sService } from './k8s/service.js';
import { DriverPool } from './driver/pool.js';
import { UsageError } from './errors.js';
import { unknownRegion } from './catalog/check.js';
import { McisService } from './orchestrator/service.js';
import { RecommendService } from './recommend/service.js';
import type { OrchestratorDeps, Timeouts } from './orchestrator/deps.js';
import { KnownHosts } from './ssh/known-hosts.js';
import { SshExecutor } from './ssh/executor.js';
import { SshTransport } from './exec/ssh.js';
import { VmTransports } from './orchestrator/vm-transports.js';
import { explainReadOnlyWrites } from './store/read-only.js';
import { SqliteStateStore } from './store/sqlite-store.js';
import type { StateStore } from './store/state-store.js';

export interface ConnectionTestResult {
  connection: string;
  provider: string;
  region: string;
  latencyMs: number;
  account?: string;
  /** Present when the driver can check permissions: one entry per permission it needs. */
  permissions?: PermissionCheck[];
  /** The denied permissions (what to grant); empty when everything checked is allowed. */
  missing?: string[];
  /** Permissions the cloud could not confirm either way (see each entry's `why`). */
  unverified?: string[];
}

export interface Core {
  home: HomePaths;
  store: StateStore;
  credentials: CredentialService;
  connections: ConnectionService;
  mcis: McisService;
  /** Specs, prices and images per provider region; the measured latency matrix. */
  catalog: CatalogService;
  /** Ranks the catalog by cost, location, latency and benchmarked performance. */
  recommend: RecommendService;
  ssh: SshExecutor;
  /** How each VM is reached: its driver's exec transport where it has one, else SSH (through `ssh`). */
  exec: VmTransports;
  /** Kubernetes clusters over MCIS (loaded on first use: the CLI's other commands never pay for it). */
  k8s(): Promise<K8sService>;
  /**
   * A cheap authenticated call through the connection's driver (proves endpoint, region,
   * credentials), then the driver's permission check where it has one: `missing` names what to grant.
   */
  testConnection(name: string): Promise<ConnectionTestResult>;
  /** Closes the drivers' transports and SSH connections, then the store. */
  close(): Promise<void>;
}

export function openCore(opts: { drivers: DriverRegistry; home?: string; timeouts?: Partial<Timeouts> }): Core {
  const home = homePaths(opts.home ?? resolveHome());
  ensurePrivateDir(home.root);
  ensurePrivateDir(home.keys);
  ensurePrivateDir(home.credentials);
  const sqlite = new SqliteStateStore(home.db);
  const store: StateStore = sqlite.readOnly ? explainReadOnlyWrites(sqlite, home.db) : sqlite;
  const credentials = new CredentialService(store, home);
  const ssh = new SshExecutor({ knownHostsPath: home.knownHosts });
  const knownHosts = new KnownHosts(home.knownHosts);
  const exec = new VmTransports({ ssh: new SshTransport(ssh, home.knownHosts), drivers: opts.drivers, store, credentials });
  const deps: OrchestratorDeps = {
    store,
    home,
    drivers: opts.drivers,
    credentials,
    ssh,
    transports: exec,
    forgetHostKey: (host: string, port: number) => knownHosts.forget(host, port),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
  };
  const mcis = new McisService(deps);
  let k8s: Promise<K8sService> | undefined;
  return {
    home,
    store,
    credentials,
    connections: new ConnectionService(store, opts.drivers),
    mcis,
    catalog: new CatalogService(store, opts.drivers, credentials),
    recommend: new RecommendService(store),
    ssh,
    exec,
    k8s: () => (k8s ??= import('./k8s/service.js').then(({ K8sService }) => new K8sService(deps, mcis))),
    async testConnection(name) {
      const pool = new DriverPool(store, opts.drivers, credentials);
      try {
        const { connection, driver } = await pool.get(name);
        const r = await driver.ping().catch((e: unknown) => {
          // A region the cloud does not have fails like a credential problem (AWS: AuthFailure,
          // "scoped to a valid region"); say what is wrong when the region is unknown to us as well.
          const near = unknownRegion(store, connection.provider, connection.region);
          if (!near) throw e;
          throw new UsageError(`connection '${name}': ${connection.provider} has no region '${connection.region}' (the cloud said: ${e instanceof Error ? e.message : String(e)})`, {
            hint: `did you mean ${near.join(', ')}? fix it with: cbadm connection add ${name} --provider ${connection.provider} --region REGION --replace …`,
          });
        });
        const result: ConnectionTestResult = {
          connection: name,
          provider: connection.provider,
          region: r.region,
          latencyMs: r.latencyMs,
          ...(r.account ? { account: r.account } : {}),
        };
        // Only once the credential authenticates: a failed ping is the answer by itself.
        if (driver.checkPermissions) {
          const permissions = await driver.checkPermissions();
          result.permissions = permissions;
          result.missing = permissions.filter((p) => p.status === 'denied').map((p) => p.permission);
          result.unverified = permissions.filter((p) => p.status === 'unknown').map((p) => p.permission);
        }
        return result;
      } finally {
        await pool.closeAll();
      }
    },
    async close() {
      await exec.close();
      await ssh.close();
      store.close();
    },
  };
}
