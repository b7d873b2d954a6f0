/**
 * The simulated Kubernetes node runtime of Cloud-Twin. VMs whose image is flagged for it get the
 * commands of ./shims.ts first on their PATH and a system root of their own ($CB_SYSROOT, under the
 * VM's directory, gone when the VM terminates). kubeadm and kubectl calls arrive here over the admin
 * API (`POST /_twin/k8s/run`); the clusters they make live in this process, each with an HTTPS API
 * server on its control-plane endpoint (./api.ts).
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readJson, readText, sendJson } from '../http/io.js';
import { serveApi } from './api.js';
import { kubeadm } from './kubeadm.js';
import { kubectl } from './kubectl.js';
import { download } from './manifests.js';
import { Sysroot, type SimCluster } from './model.js';
import { isReady, type NodeView } from './objects.js';
import type { RunRequest, RunResponse } from './protocol.js';
import { writeNodeRuntimeBin } from './shims.js';

/** The image flag: VMs of images carrying it get this runtime. */
export type NodeRuntimeKind = 'kubernetes';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
`;

export interface NodeRuntimeOptions {
  stateDir: string;
  /** The twin's own base URL (known once its HTTP server listens). */
  twinUrl: () => string;
  /** The bearer token a VM's shims show the twin: good for that VM's calls alone. */
  nodeToken: (instanceId: string) => string;
  /** How long a node takes from joining to Ready once its kubelet runs and the CNI is in. */
  readyDelayMs?: number;
  log: (message: string) => void;
  /** Isolated VMs (../vm/isolation): their own file system and network. */
  isolated?: IsolatedVms;
}

export interface IsolatedVms {
  /** Where the twin sees the VM's file system (`/proc/<pid 1>/root`); undefined for a VM on the host. */
  root(instanceId: string): string | undefined;
  /** A socket listening on `port` inside the VM's network; undefined for a VM on the host. */
  listen(instanceId: string, port: number): Promise<NetServer | undefined>;
}

/** Flags whose value is a file the twin reads. */
const FILE_FLAGS = new Set(['--config', '-f', '--filename', '--kubeconfig']);

/** A request from an isolated VM, its paths made the twin's (relative ones resolve below `cwd`). */
function throughRoot(req: RunRequest, root: string): RunRequest {
  const cwd = join(root, req.cwd);
  const path = (p: string) => (isAbsolute(p) ? join(root, p) : p);
  const args = req.args.map((a, i) => {
    const eq = a.indexOf('=');
    if (eq > 0 && FILE_FLAGS.has(a.slice(0, eq))) return `${a.slice(0, eq + 1)}${path(a.slice(eq + 1))}`;
    return FILE_FLAGS.has(req.args[i - 1] ?? '') ? path(a) : a;
  });
  return { ...req, cwd, args, ...(req.kubeconfig ? { kubeconfig: join(root, resolve(req.cwd, req.kubeconfig)) } : {}) };
}

export class NodeRuntime {
  readonly clusters = new Map<string, SimCluster>();
  /** API servers by `<cluster id> <host:port>`, one per control plane. */
  private readonly apis = new Map<string, Server>();
  /** The sockets inside isolated VMs that feed those API servers, by the same key. */
  private readonly vmListeners = new Map<string, NetServer>();
  private binDir: string | undefined;

  constructor(private readonly o: NodeRuntimeOptions) {}

  sysroot(instanceId: string): Sysroot {
    return new Sysroot(join(this.o.stateDir, 'vms', instanceId, 'sysroot'));
  }

  /** Environment for every command on the VM (PATH first of all). */
  vmEnv(instanceId: string): Record<string, string> {
    this.binDir ??= writeNodeRuntimeBin(this.o.stateDir);
    return {
      PATH: `${this.binDir}:${DEFAULT_PATH}`,
      CB_SYSROOT: this.sysroot(instanceId).root,
      CB_TWIN_URL: this.o.twinUrl(),
      // In the environment, not on a command line: other users cannot read it from ps.
      CB_TWIN_NODE_TOKEN: this.o.nodeToken(instanceId),
      CB_TWIN_NODE_RUNTIME: 'kubernetes',
    };
  }

  /**
   * The shims (bin/ and the lib/ they use), the node that runs them (nvm puts it under /root or
   * /home) and the VM's system root: an isolated VM must see them at these paths.
   */
  vmPaths(instanceId: string): string[] {
    this.binDir ??= writeNodeRuntimeBin(this.o.stateDir);
    return [dirname(this.binDir), dirname(realpathSync(process.execPath)), this.sysroot(instanceId).root];
  }

  /** A fresh VM's system root: an Ubuntu 22.04 with swap on, as cloud images often have. */
  prepare(instanceId: string): void {
    const root = this.sysroot(instanceId);
    if (existsSync(root.file('etc/os-release'))) return;
    mkdirSync(root.file('etc'), { recursive: true });
    mkdirSync(root.file('var/lib/cloud-twin'), { recursive: true });
    mkdirSync(root.file('var/log'), { recursive: true });
    writeFileSync(root.file('etc/os-release'), OS_RELEASE);
    writeFileSync(root.file('etc/fstab'), 'LABEL=cloudimg-rootfs\t/\text4\tdefaults\t0 1\n/swap.img\tnone\tswap\tsw\t0 0\n');
    writeFileSync(root.file('var/lib/cloud-twin/swap-on'), '');
  }

  views(c: SimCluster): NodeView[] {
    return [...c.nodes.values()]
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
      .map((node) => {
        const root = this.sysroot(node.instanceId);
        return { node, ready: isReady(c, node, root, this.o.readyDelayMs ?? 300), ...(root.exists() ? {} : { silent: true }) };
      });
  }

  private clusterOf(instanceId: string): SimCluster | undefined {
    return [...this.clusters.values()].find((c) => [...c.nodes.values()].some((n) => n.instanceId === instanceId && n.controlPlane));
  }

  private async startApi(c: SimCluster, instanceId: string, host: string, port: number, tls?: { certPem: string; keyPem: string }): Promise<void> {
    const server = serveApi(c, {
      views: () => this.views(c),
      deleteNode: (name) => c.nodes.delete(name),
      patchNode: (name, p) => {
        const n = c.nodes.get(name);
        if (!n) return false;
        for (const [k, v] of Object.entries(p.labels ?? {})) {
          if (v === null) delete n.labels[k];
          else n.labels[k] = v;
        }
        for (const [k, v] of Object.entries(p.annotations ?? {})) {
          n.annotations ??= {};
          if (v === null) delete n.annotations[k];
          else n.annotations[k] = v;
        }
        if (p.unschedulable !== undefined) n.unschedulable = p.unschedulable;
        return true;
      },
    }, tls);
    const inVm = await this.o.isolated?.listen(instanceId, port);
    if (inVm) {
      // The control plane is an isolated VM: its API server listens in the VM's network.
      inVm.on('connection', (socket) => server.emit('connection', socket));
      this.vmListeners.set(`${c.id} ${host}:${port}`, inVm);
    } else {
      await new Promise<void>((done, reject) => {
        server.once('error', reject);
        server.listen({ host, port, exclusive: true }, () => {
          server.off('error', reject);
          done();
        });
      });
    }
    server.on('error', (e) => this.o.log(`k8s api ${c.name}: ${e.message}`));
    this.apis.set(`${c.id} ${host}:${port}`, server);
    c.apiServers.set(`${host}:${port}`, instanceId);
  }

  /** Stops the API servers a control plane ran (its VM is gone, or kubeadm reset ran on it). */
  private stopApis(instanceId: string): void {
    for (const c of this.clusters.values()) {
      for (const [addr, id] of [...c.apiServers]) {
        if (id !== instanceId) continue;
        const server = this.apis.get(`${c.id} ${addr}`);
        server?.close();
        server?.closeAllConnections();
        this.apis.delete(`${c.id} ${addr}`);
        this.vmListeners.get(`${c.id} ${addr}`)?.close();
        this.vmListeners.delete(`${c.id} ${addr}`);
        c.apiServers.delete(addr);
      }
    }
  }

  async run(asked: RunRequest): Promise<RunResponse> {
    const root = this.o.isolated?.root(asked.instanceId);
    const req = root ? throughRoot(asked, root) : asked;
    switch (req.command) {
      case 'kubeadm':
        return kubeadm(
          {
            clusters: this.clusters,
            sysroot: (id) => this.sysroot(id),
            startApi: (c, id, h, p, tls) => this.startApi(c, id, h, p, tls),
            stopApis: (id) => this.stopApis(id),
            clusterOf: (id) => this.clusterOf(id),
          },
          req.instanceId,
          req.args,
          req.cwd,
        );
      case 'kubectl':
        return kubectl({ clusters: this.clusters, views: (c) => this.views(c) }, req.args, req.cwd, req.kubeconfig);
      case 'curl': {
        const url = req.args.find((a) => a.startsWith('https://'));
        const body = url ? download(url) : undefined;
        return body === undefined ? { stdout: '', stderr: `curl: (22) The requested URL returned error: 404\n`, code: 22 } : { stdout: body, stderr: '', code: 0 };
      }
      default:
        return { stdout: '', stderr: `${req.command}: not simulated\n`, code: 127 };
    }
  }

  /**
   * A VM is gone: its API server stops; its node stays in the cluster, NotReady, until someone
   * deletes it (as on a real cluster). A cluster with no control plane left is gone too.
   */
  vmGone(instanceId: string): void {
    this.stopApis(instanceId);
    for (const c of [...this.clusters.values()]) if (c.apiServers.size === 0) this.clusters.delete(c.id);
  }

  /**
   * `POST /_twin/k8s/run` from the shims; `GET /_twin/k8s/clusters` for people. `caller` is the
   * instance whose node token came with the request, undefined for the admin token: a VM runs
   * commands as itself only.
   */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, caller?: string): Promise<void> {
    const send = (code: number, body: unknown) => sendJson(res, code, body);
    const notYou = (instanceId: string) => caller !== undefined && caller !== instanceId;
    if (req.method === 'POST' && path === '/_twin/k8s/run') {
      const run = (await readJson(req)) as RunRequest;
      if (notYou(run.instanceId)) return send(403, { error: `this node token is not for instance ${run.instanceId}` });
      send(200, await this.run(run));
      return;
    }
    if (req.method === 'POST' && path === '/_twin/k8s/run-raw') {
      // The bash client's form: NUL-separated instance id, cwd, KUBECONFIG, command, arguments.
      const [instanceId = '', cwd = '', kubeconfig = '', command = '', ...args] = (await readText(req)).split('\0');
      args.pop(); // the terminator after the last field
      if (notYou(instanceId)) return send(403, { error: `this node token is not for instance ${instanceId}` });
      const out = await this.run({ instanceId, cwd, command, args, ...(kubeconfig ? { kubeconfig } : {}) });
      const stdout = Buffer.from(out.stdout);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-exit-code': String(out.code), 'x-stdout-length': String(stdout.length) });
      res.end(Buffer.concat([stdout, Buffer.from(out.stderr)]));
      return;
    }
    if (req.method === 'GET' && path === '/_twin/k8s/clusters' && caller === undefined) {
      send(200, [...this.clusters.values()].map((c) => ({ name: c.name, endpoint: c.endpoint, apiServers: [...c.apiServers.keys()], version: c.version, cni: c.cni ?? null, nodes: this.views(c).map((v) => ({ name: v.node.name, ready: v.ready, controlPlane: v.node.controlPlane, labels: v.node.labels })) })));
      return;
    }
    send(404, { error: `no route ${req.method ?? ''} ${path}` });
  }

  close(): void {
    for (const s of this.vmListeners.values()) s.close();
    for (const s of this.apis.values()) {
      s.close();
      s.closeAllConnections();
    }
    this.apis.clear();
  }
}
