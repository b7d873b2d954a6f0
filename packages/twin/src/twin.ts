/** Starting and stopping a Cloud-Twin: HTTP API, VM lifecycle, snapshot. */
import { mkdirSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { EcsEngine } from './alibaba/engine.js';
import { type EcsListener, startEcsListener } from './alibaba/http.js';
import { ecsStatus } from './alibaba/instance-view.js';
import { type AzureTwin, startAzureTwin } from './azure/index.js';
import { type DockerTwin, startDockerTwin } from './docker/index.js';
import { Ec2Engine } from './ec2/engine.js';
import type { InstanceStateName } from './ec2/model.js';
import { Faults, type FaultRule } from './faults.js';
import { GceEngine } from './gce/engine.js';
import { TokenIssuer } from './gce/token.js';
import { loadOrCreateSecret, type TwinCredentials } from './auth/credentials.js';
import { sameSecret } from './auth/jwt.js';
import { listenPreferring } from './http/listen.js';
import type { RequestLogEntry } from './http/types.js';
import { createTwinServer } from './server.js';
import { generateHostKey, startVmSshServer } from './ssh/vm-ssh-server.js';
import { loadSnapshot, Snapshotter, STATE_VERSION, type TwinSnapshot } from './state.js';
import { NodeRuntime } from './k8s/runtime.js';
import { CLOUDIT_CLUSTERS, findSpec, findTemplate } from './cloudit/catalog.js';
import { ClouditEngine } from './cloudit/engine.js';
import { findImage } from './openstack/catalog.js';
import { OpenStackEngine } from './openstack/engine.js';
import { firstIndex, LoopbackIps } from './vm/ips.js';
import { type BackedVm, type SshBackend, VmLifecycle } from './vm/lifecycle.js';
import { Isolation, type IsolationMode } from './vm/isolation/isolation.js';
import { vmPolicies } from './vm-policies.js';
import type { InstanceCounts, TwinEndpoints, TwinInstanceInfo, TwinPorts, TwinStatus } from './twin-types.js';

export type { InstanceCounts, TwinEndpoints, TwinInstanceInfo, TwinPorts, TwinStatus } from './twin-types.js';

export interface TwinOptions {
  /** Where state.json and the VMs' home directories live. Created if missing. */
  stateDir: string;
  /** Loopback address for the HTTP API (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** HTTP port (default 0: any free port). */
  port?: number;
  /** pending → running (default 2000). */
  bootDelayMs?: number;
  /** stopping → stopped and shutting-down → terminated (default 1000). */
  stopDelayMs?: number;
  /** Every VM's SSH server listens on its own IP at this port (default 2222). */
  sshPort?: number;
  /** Fault rules (objects or CLI spec strings, see parseFaultSpec). */
  faults?: (FaultRule | string)[];
  /** How long terminated instances stay listed (default 1 hour, as on AWS). */
  terminatedRetentionMs?: number;
  /** Snapshot debounce (default 200 ms). */
  snapshotDebounceMs?: number;
  /** Random source for fault rates (tests pass a fixed one). */
  random?: () => number;
  /** Called after every API request (EC2, GCE, ARM, AWS Price List, Resource Manager). */
  onRequest?: (e: RequestLogEntry) => void;
  /** Diagnostics (VM boot problems, snapshot errors). Default: stderr. */
  log?: (message: string) => void;
  /** The SSH server implementation (default: the real one in ./ssh). */
  ssh?: SshBackend;
  /** HTTPS port of the Azure ARM and identity endpoint (default 0: any free port). */
  azurePort?: number;
  /**
   * Ports to take again when free (a restarted twin's previous ones, so its clients' endpoints stay
   * right); `port`/`azurePort` win, a taken one falls back to any free port.
   */
  preferredPorts?: TwinPorts;
  /** Items per ARM list page before a nextLink (default 100). */
  azurePageSize?: number;
  /** Lifetime of the Keystone tokens the twin issues (default 1 hour, Keystone's default). */
  openstackTokenTtlMs?: number;
  /** Lifetime of the Cloudit IAM tokens the twin issues (default 1 hour). */
  clouditTokenTtlMs?: number;
  /** HTTP port of the Alibaba ECS RPC API (default 0: any free port). */
  alibabaPort?: number;
  /** Loopback TCP port of the Docker Engine API (default 0: any free port); its socket is `<stateDir>/docker.sock`. */
  dockerPort?: number;
  /**
   * VMs in their own namespaces with enforced firewalls (vm/isolation): `auto` where the host
   * allows it (root, iproute2, nftables), `on` or fail, `off` (the default here; `cloud-twin` and
   * `cbadm twin up` default to auto).
   */
  isolation?: IsolationMode;
}


export interface Twin {
  /**
   * What the twin accepts from callers, derived from its secret (`<stateDir>/twin-secret.json`):
   * the one AWS key, GCP service account, Azure service principal, and the admin API's token.
   */
  credentials: TwinCredentials;
  /**
   * aws: the EC2 Query API; gcp: GCE REST (`/compute/v1/…`, OAuth tokens at `/token`); azure: ARM
   * over HTTPS; alibaba: ECS RPC; openstack: Keystone v3, whose catalog leads to Nova, Neutron and Glance.
   */
  endpoints: TwinEndpoints;
  /** The CA (PEM) the azure endpoint's certificate chains to: a connection's caFile. */
  caFile: string;
  adminUrl: string;
  sshPort: number;
  stateDir: string;
  bootDelayMs: number;
  faults: Faults;
  status(): TwinStatus;
  instances(region?: string): TwinInstanceInfo[];
  /** Writes the snapshot now. */
  flush(): Promise<void>;
  /** Closes the API and every VM's SSH server, then saves the snapshot. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the twin has closed (by close() or POST /_twin/shutdown). */
  readonly closed: Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const STATES: InstanceStateName[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

/**
 * Starts a twin. If `stateDir` holds a snapshot, its resources come back and running VMs get
 * their SSH servers again (on their old address when it is free).
 */
export async function startTwin(opts: TwinOptions): Promise<Twin> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`Cloud-Twin listens on loopback only; '${host}' is not a loopback address`);
  const sshPort = opts.sshPort ?? 2222;
  const bootDelayMs = opts.bootDelayMs ?? 2000;
  const stopDelayMs = opts.stopDelayMs ?? 1000;
  const log = opts.log ?? ((m: string) => process.stderr.write(`cloud-twin: ${m}\n`));
  const startedAt = new Date().toISOString();
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const { credentials, keys } = loadOrCreateSecret(opts.stateDir);

  const saved = loadSnapshot(opts.stateDir);
  const ips = new LoopbackIps(saved?.ipCounter ?? firstIndex((opts.isolation ?? 'off') !== 'off'));
  const faults = new Faults([], opts.random);
  faults.set(opts.faults ?? []);

  const take = (): TwinSnapshot => ({
    version: STATE_VERSION,
    savedAt: new Date().toISOString(),
    ipCounter: ips.counter,
    ec2: ec2.snapshot(),
    gce: gce.snapshot(),
    // Until the Azure listener is up, keep what was loaded.
    azure: azure?.snapshot() ?? saved?.azure,
    alibaba: ecs.snapshot(),
    openstack: openstack.snapshot(),
    docker: docker?.snapshot() ?? saved?.docker,
    cloudit: cloudit.snapshot(),
  });
  const snapshotter = new Snapshotter(opts.stateDir, take, opts.snapshotDebounceMs ?? 200, (e) =>
    log(`saving state failed: ${String(e)}`),
  );
  let azure: AzureTwin | undefined;
  let docker: DockerTwin | undefined;
  const { isolation, status: isolationStatus } = await Isolation.start({
    stateDir: opts.stateDir,
    mode: opts.isolation ?? 'off',
    sshPort,
    log,
    // The engines exist by the time a VM boots.
    policy: vmPolicies({ ec2: () => ec2, gce: () => gce, azure: () => azure?.engine, ecs: () => ecs, openstack: () => openstack, cloudit: () => cloudit }),
  });
  // Every change may touch a firewall (a rule, a VM joining a group): the isolated VMs' follow.
  const changed = () => {
    snapshotter.markDirty();
    isolation?.policyChanged();
  };
  // Kubernetes node simulation for VMs of flagged images; shims reach it over the admin API.
  let twinUrl = '';
  const nodeRuntime = new NodeRuntime({
    stateDir: opts.stateDir,
    twinUrl: () => twinUrl,
    nodeToken: keys.nodeToken,
    log,
    ...(isolation ? { isolated: { root: (id: string) => isolation.rootOf(id), listen: (id: string, port: number) => isolation.listen(id, '0.0.0.0', port) } } : {}),
  });
  // Node-runtime VMs that boot before the API listens (resumed ones) wait for it.
  let apiListening: (api: { port: number; accept(socket: Socket): void } | undefined) => void = () => {};
  const twinApi = new Promise<{ port: number; accept(socket: Socket): void } | undefined>((r) => (apiListening = r));
  const lifecycle = new VmLifecycle({
    stateDir: opts.stateDir,
    sshPort,
    bootDelayMs,
    stopDelayMs,
    ips,
    ssh: opts.ssh ?? { startVmSshServer, generateHostKey },
    changed,
    now: Date.now,
    log,
    nodeRuntime,
    ...(isolation ? { isolation, twinApi: () => twinApi } : {}),
  });
  const ec2 = new Ec2Engine({ lifecycle, changed, now: Date.now, terminatedRetentionMs: opts.terminatedRetentionMs ?? 3_600_000 });
  if (saved) for (const region of ec2.restore(saved.ec2)) lifecycle.resume(region);
  const gce = new GceEngine({ lifecycle, changed, now: Date.now, bootDelayMs });
  if (saved?.gce) gce.restore(saved.gce);
  const ecs = new EcsEngine({ lifecycle, changed, now: Date.now });
  if (saved?.alibaba) ecs.restore(saved.alibaba);
  const openstack = new OpenStackEngine({ lifecycle, ips, changed, now: Date.now, bootDelayMs });
  if (saved?.openstack) openstack.restore(saved.openstack);
  const cloudit = new ClouditEngine({ lifecycle, ips, changed, now: Date.now, bootDelayMs });
  if (saved?.cloudit) cloudit.restore(saved.cloudit);

  const server = createTwinServer({
    ec2,
    faults,
    auth: {
      awsSecretOf: (id) => (id === credentials.aws.accessKeyId ? credentials.aws.secretAccessKey : undefined),
      adminToken: credentials.admin,
      nodeInstanceOf: (token) => {
        const id = token.slice(0, Math.max(0, token.lastIndexOf('.')));
        return id && sameSecret(token, keys.nodeToken(id)) ? id : undefined;
      },
    },
    gce: { engine: gce, tokens: new TokenIssuer(credentials.gcp, keys.gceToken) },
    openstack: { engine: openstack, auth: { user: credentials.openstack, tokenKey: keys.openstackToken, ttlMs: opts.openstackTokenTtlMs ?? 3_600_000, now: Date.now, roleDenied: (role) => faults.iam.denied(`role:${role}`) } },
    cloudit: { engine: cloudit, auth: { user: credentials.cloudit, tokenKey: keys.clouditToken, ttlMs: opts.clouditTokenTtlMs ?? 3_600_000, now: Date.now } },
    onRequest: opts.onRequest,
    k8s: (req, res, path, caller) => nodeRuntime.handle(req, res, path, caller),
    admin: {
      status: () => twin.status(),
      instances: (region) => twin.instances(region),
      shutdown: () => void twin.close(),
      faultsChanged: () => {},
    },
  });
  await listenPreferring(server, host, { port: opts.port, preferred: opts.preferredPorts?.aws });
  let ecsApi: EcsListener | undefined;
  try {
    ecsApi = await startEcsListener(
      {
        engine: ecs,
        faults,
        secretOf: (id) => (id === credentials.alibaba.accessKeyId ? credentials.alibaba.accessKeySecret : undefined),
        onRequest: opts.onRequest,
      },
      host,
      { port: opts.alibabaPort, preferred: opts.preferredPorts?.alibaba },
    );
    // Over HTTPS: Azure's SDK sends bearer tokens nowhere else.
    azure = await startAzureTwin({
      stateDir: opts.stateDir,
      host,
      port: opts.azurePort,
      preferredPort: opts.preferredPorts?.azure,
      lifecycle,
      ips,
      faults,
      changed,
      bootDelayMs,
      auth: { principal: credentials.azure, tokenKey: keys.azureToken },
      ...(saved?.azure ? { saved: saved.azure } : {}),
      ...(opts.azurePageSize ? { pageSize: opts.azurePageSize } : {}),
      ...(opts.onRequest ? { onRequest: (e) => opts.onRequest?.({ ...e, provider: 'azure' }) } : {}),
    });
    docker = await startDockerTwin({
      stateDir: opts.stateDir,
      host,
      port: opts.dockerPort,
      preferredPort: opts.preferredPorts?.docker,
      runtime: lifecycle,
      faults,
      changed,
      log,
      saved: saved?.docker,
      onRequest: opts.onRequest,
    });
  } catch (e) {
    apiListening(undefined);
    server.close();
    await azure?.close();
    await ecsApi?.close();
    await lifecycle.close();
    await isolation?.close();
    throw e;
  }
  const arm = azure;
  const alibabaApi = ecsApi;
  const engineApi = docker;
  const addr = server.address() as AddressInfo;
  const base = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  twinUrl = base;
  apiListening({ port: addr.port, accept: (socket) => server.emit('connection', socket) });
  // Google's client libraries take a host and port (apiEndpoint) and add /compute/v1 themselves.
  const endpoints: TwinEndpoints = { aws: base, gcp: base, azure: arm.endpoint, alibaba: alibabaApi.endpoint, openstack: `${base}/identity/v3`, docker: engineApi.socketUrl, cloudit: base };

  let resolveClosed: () => void = () => {};
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;

  const backed = (vm: BackedVm) => ({ state: vm.state, publicIp: vm.publicIp, sshUser: vm.sshUser, sshPort, hostPublicKey: vm.hostKey.publicKey, homeDir: lifecycle.homeDir(vm.id) });
  const instances = (region?: string): TwinInstanceInfo[] =>
    [
      ...ec2.allRegions().flatMap((r) =>
        [...r.instances.values()].map((i): TwinInstanceInfo => ({
          provider: 'aws',
          instanceId: i.id,
          region: r.name,
          instanceType: i.instanceType,
          imageId: i.imageId,
          keyName: i.keyName,
          privateIp: i.privateIp,
          ...backed(i),
        })),
      ),
      ...gce.allInstances().map((i): TwinInstanceInfo => ({
        provider: 'gcp',
        instanceId: i.name,
        region: i.region,
        instanceType: i.machineType.replace(/^.*\//, ''),
        imageId: i.sourceImage,
        privateIp: i.networkIP,
        ...backed(i.vm),
      })),
      ...arm.engine.vmsWithPrivateIp().map(({ vm, privateIp }): TwinInstanceInfo => ({
        provider: 'azure',
        instanceId: vm.name,
        region: vm.location,
        instanceType: vm.vmSize,
        imageId: `${vm.image.publisher}:${vm.image.offer}:${vm.image.sku}:${vm.image.version}`,
        ...(privateIp ? { privateIp } : {}),
        ...backed(vm.power),
      })),
      ...ecs.allInstances().map((i): TwinInstanceInfo => ({
        provider: 'alibaba',
        instanceId: i.id,
        region: i.regionId,
        instanceType: i.instanceType,
        imageId: i.imageId,
        ...(i.keyPairName ? { keyName: i.keyPairName } : {}),
        privateIp: i.privateIp,
        ...backed(i),
      })),
      ...openstack.allRegions().flatMap((r) =>
        [...r.servers.values()].map((s): TwinInstanceInfo => {
          const fixed = [...r.ports.values()].find((p) => p.device_id === s.id)?.fixed_ips[0]?.ip_address;
          return {
            provider: 'openstack',
            instanceId: s.id,
            region: r.name,
            instanceType: s.flavor,
            imageId: findImage(r.name, s.image)?.name ?? s.image,
            ...(s.key_name ? { keyName: s.key_name } : {}),
            ...(fixed ? { privateIp: fixed } : {}),
            ...backed(s.vm),
          };
        }),
      ),
      ...[...cloudit.tenant.servers.values()].map((s): TwinInstanceInfo => ({
        provider: 'cloudit',
        instanceId: s.id,
        region: cloudit.clusterOf(s),
        instanceType: findSpec(s.specId)?.name ?? s.specId,
        imageId: findTemplate(s.templateId)?.name ?? s.templateId,
        ...(s.sshKeyName ? { keyName: s.sshKeyName } : {}),
        privateIp: s.privateIp,
        ...backed(s.vm),
      })),
    ].filter((i) => region === undefined || i.region === region);

  const ecsCounts = () => {
    const counts: Record<string, number> = {};
    for (const i of ecs.allInstances()) counts[ecsStatus(i)] = (counts[ecsStatus(i)] ?? 0) + 1;
    return { instances: counts, regions: ecs.allRegions().map((r) => r.id) };
  };

  const twin: Twin = {
    credentials,
    endpoints,
    caFile: arm.caFile,
    adminUrl: `${base}/_twin`,
    sshPort,
    stateDir: opts.stateDir,
    bootDelayMs,
    faults,
    closed: closedPromise,
    status: () => {
      const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as InstanceCounts;
      counts.total = 0;
      for (const r of ec2.allRegions()) {
        for (const i of r.instances.values()) {
          counts[i.state]++;
          counts.total++;
        }
      }
      return {
        pid: process.pid,
        startedAt,
        endpoints,
        caFile: arm.caFile,
        adminUrl: `${base}/_twin`,
        sshPort,
        bootDelayMs,
        stopDelayMs,
        stateDir: opts.stateDir,
        instances: counts,
        sshServers: lifecycle.sshServers,
        regions: ec2.allRegions().map((r) => r.name),
        faults: faults.list(),
        outages: faults.outages(),
        gce: { instances: gce.instanceCounts(), projects: gce.allProjects().map((p) => p.id) },
        azure: arm.engine.vmCounts(),
        alibaba: ecsCounts(),
        openstack: { servers: openstack.serverCounts(), regions: openstack.allRegions().map((r) => r.name) },
        docker: { containers: engineApi.counts(), host: engineApi.state.host.name, tcp: engineApi.tcpUrl },
        cloudit: { servers: cloudit.serverCounts(), zones: CLOUDIT_CLUSTERS.map((c) => c.name) },
        isolation: isolationStatus,
        ...(isolation ? { isolationCost: isolation.cost() } : {}),
      };
    },
    instances,
    flush: () => {
      changed();
      return snapshotter.flush();
    },
    close: () => {
      closing ??= (async () => {
        gce.close();
        nodeRuntime.close();
        await arm.close();
        await alibabaApi.close();
        await engineApi.close();
        const httpClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        await lifecycle.close();
        await isolation?.close();
        await httpClosed;
        changed();
        await snapshotter.flush();
        resolveClosed();
      })();
      return closing;
    },
  };
  return twin;
}
