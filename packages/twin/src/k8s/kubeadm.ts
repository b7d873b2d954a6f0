/**
 * The simulated `kubeadm`: init (from the config file the bootstrap wrote), token create
 * --print-join-command, init phase upload-certs, join (by flags or --config; token, CA hash and
 * certificate key checked as kubeadm checks them), reset. Errors carry kubeadm's own wording so logs read the same as on a VM.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { kubeconfigText } from './kubeconfig.js';
import { newToken, newUid, type SimCluster, type Sysroot } from './model.js';
import { controlPlaneServingCert, makeClusterPki } from './pki.js';
import { clusterAt } from './reach.js';
import type { RunResponse } from './protocol.js';

export interface KubeadmHost {
  clusters: Map<string, SimCluster>;
  sysroot(instanceId: string): Sysroot;
  /** Starts an API server of the cluster on a control plane's address; rejects when the address is taken. */
  startApi(c: SimCluster, instanceId: string, host: string, port: number, tls?: { certPem: string; keyPem: string }): Promise<void>;
  stopApis(instanceId: string): void;
  /** Cluster of which this instance is a control-plane node. */
  clusterOf(instanceId: string): SimCluster | undefined;
}

const ok = (stdout: string): RunResponse => ({ stdout, stderr: '', code: 0 });
const fail = (msg: string, code = 1): RunResponse => ({ stdout: '', stderr: `${msg}\nTo see the stack trace of this error execute with --v=5 or higher\n`, code });

function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

function field(text: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}:\\s*"?([^"\\s]+)"?\\s*$`, 'm').exec(text)?.[1];
}

function writeFile(root: Sysroot, path: string, text: string, mode = 0o600): void {
  const file = root.file(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
}

/**
 * The kubelet refuses a --node-ip that is on none of the host's interfaces (validateNodeIP), so
 * kubeadm then waits for it in vain; the twin says at once what the kubelet's log would.
 */
function kubeletNodeIpError(root: Sysroot, phase: string): RunResponse | undefined {
  const ip = root.kubeletArgs().nodeIp;
  if (!ip || root.addresses().includes(ip)) return undefined;
  return fail(`[kubelet-check] The kubelet is not running: "command failed" err="failed to run Kubelet: failed to validate nodeIP: node IP: \"${ip}\" not found in the host's network interfaces"\nerror execution phase ${phase}: timed out waiting for the condition`);
}

/** kubeadm's own preflight checks, on the VM's simulated state. */
function preflight(root: Sysroot, checks: { files: string[] }): string[] {
  const errors: string[] = [];
  if (!root.active('containerd')) errors.push('[ERROR CRI]: container runtime is not running: validate service connection: unix:///var/run/containerd/containerd.sock: connect: no such file or directory');
  if (root.sysctl('net.ipv4.ip_forward') !== '1') errors.push('[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1');
  if (root.read('var/lib/cloud-twin/swap-on') !== undefined) errors.push('[ERROR Swap]: running with swap on is not supported. Please disable swap');
  for (const f of checks.files) {
    if (root.read(f) !== undefined) errors.push(`[ERROR FileAvailable--${f.replace(/\//g, '-')}]: /${f} already exists`);
  }
  return errors;
}

function preflightFailure(errors: string[]): RunResponse {
  return fail(`[preflight] Running pre-flight checks\nerror execution phase preflight: [preflight] Some fatal errors occurred:\n\t${errors.join('\n\t')}\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``);
}

/** A JoinConfiguration (discovery.bootstrapToken, nodeRegistration, controlPlane) as the equivalent join flags. */
function joinConfigArgs(text: string): string[] {
  const opt = (name: string, value: string | undefined) => (value === undefined ? [] : [name, value]);
  const hash = /^\s*caCertHashes:\s*\n\s*-\s*"?([^"\s]+)"?\s*$/m.exec(text)?.[1];
  const cp = /^controlPlane:/m.test(text);
  return [
    ...(field(text, 'apiServerEndpoint') ? [field(text, 'apiServerEndpoint')!] : []),
    ...opt('--token', field(text, 'token')),
    ...opt('--discovery-token-ca-cert-hash', hash),
    ...opt('--node-name', field(text, 'name')),
    ...(cp ? ['--control-plane', ...opt('--certificate-key', field(text, 'certificateKey')), ...opt('--apiserver-advertise-address', field(text, 'advertiseAddress'))] : []),
  ];
}

function joinCommand(c: SimCluster, token: string): string {
  return `kubeadm join ${c.endpoint} --token ${token} --discovery-token-ca-cert-hash ${c.pki.caHash} `;
}

export async function kubeadm(host: KubeadmHost, instanceId: string, args: string[], cwd: string): Promise<RunResponse> {
  const root = host.sysroot(instanceId);
  const version = (root.installed('kubeadm') ?? '').replace(/-.*/, '');
  const [sub, ...rest] = args;
  if (sub === 'version') return ok(rest.includes('short') ? `v${version}\n` : `kubeadm version: &version.Info{Major:"1", GitVersion:"v${version}"}\n`);

  if (sub === 'init' && rest[0] === 'phase' && rest[1] === 'upload-certs') {
    const c = host.clusterOf(instanceId);
    if (!c) return fail('error execution phase upload-certs: failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory');
    c.certKey = { key: randomBytes(32).toString('hex'), expiresAt: Date.now() + 2 * 3_600_000 };
    return ok(`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${c.certKey.key}\n`);
  }

  if (sub === 'init') {
    const configPath = flag(rest, '--config');
    if (!configPath) return fail('the simulated kubeadm init needs --config FILE');
    let text: string;
    try {
      text = readFileSync(resolve(cwd, configPath), 'utf8');
    } catch {
      return fail(`unable to read config from "${configPath}"`);
    }
    const errors = preflight(root, { files: ['etc/kubernetes/admin.conf', 'etc/kubernetes/kubelet.conf'] });
    if (errors.length) return preflightFailure(errors);
    const kubeletDown = kubeletNodeIpError(root, 'wait-control-plane');
    if (kubeletDown) return kubeletDown;
    const advertise = field(text, 'advertiseAddress') ?? root.kubeletArgs().nodeIp;
    const port = Number(field(text, 'bindPort') ?? 6443);
    const endpoint = field(text, 'controlPlaneEndpoint') ?? `${advertise}:${port}`;
    const name = field(text, 'name');
    if (!advertise || !name) return fail('the config file needs localAPIEndpoint.advertiseAddress and nodeRegistration.name');
    const sans = [...text.matchAll(/^\s*-\s*"?([^"\s]+)"?\s*$/gm)].map((m) => m[1]!);
    const pki = await makeClusterPki([advertise, endpoint.replace(/:\d+$/, ''), ...sans]);
    const c: SimCluster = {
      id: newUid(),
      name: field(text, 'clusterName') ?? 'kubernetes',
      endpoint,
      version: (field(text, 'kubernetesVersion') ?? `v${version}`).replace(/^v/, ''),
      podCidr: field(text, 'podSubnet') ?? '10.244.0.0/16',
      serviceCidr: field(text, 'serviceSubnet') ?? '10.96.0.0/12',
      pki,
      tokens: new Map([[newToken(), Date.now() + 24 * 3_600_000]]),
      nodes: new Map(),
      apiServers: new Map(),
      createdAt: Date.now(),
    };
    try {
      await host.startApi(c, instanceId, advertise, port);
    } catch (e) {
      return preflightFailure([`[ERROR Port-${port}]: Port ${port} is in use (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
    }
    host.clusters.set(c.id, c);
    const kubelet = root.kubeletArgs();
    c.nodes.set(name, { name, uid: newUid(), instanceId, internalIp: kubelet.nodeIp ?? advertise, labels: kubelet.labels, controlPlane: true, unschedulable: false, createdAt: Date.now(), kubeletVersion: (root.installed('kubelet') ?? version).replace(/-.*/, '') });
    writeFile(root, 'etc/kubernetes/admin.conf', kubeconfigText(c, 'kubernetes-admin'));
    writeFile(root, 'etc/kubernetes/kubelet.conf', kubeconfigText(c, `system:node:${name}`));
    writeFile(root, 'etc/kubernetes/pki/ca.crt', pki.caPem, 0o644);
    const token = [...c.tokens.keys()][0]!;
    return ok(`[init] Using Kubernetes version: v${c.version}\n[preflight] Running pre-flight checks\n[certs] Using certificateDir folder "/etc/kubernetes/pki"\n[kubeconfig] Writing "admin.conf" kubeconfig file\n[control-plane] Creating static Pod manifest for "kube-apiserver"\n[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[bootstrap-token] Using token: ${token}\n\nYour Kubernetes control-plane has initialized successfully!\n\nThen you can join any number of worker nodes by running the following on each as root:\n\n${joinCommand(c, token)}\n`);
  }

  if (sub === 'token' && rest[0] === 'create') {
    const c = host.clusterOf(instanceId);
    if (!c) return fail('failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory');
    const token = newToken();
    c.tokens.set(token, Date.now() + 30 * 60_000);
    return ok(rest.includes('--print-join-command') ? `${joinCommand(c, token)}\n` : `${token}\n`);
  }

  if (sub === 'join' && flag(rest, '--config')) {
    const configPath = flag(rest, '--config')!;
    if (rest.length > (rest.includes('--config') ? 2 : 1)) return fail("can not mix '--config' with arguments");
    let text: string;
    try {
      text = readFileSync(resolve(cwd, configPath), 'utf8');
    } catch {
      return fail(`unable to read config from "${configPath}"`);
    }
    return kubeadm(host, instanceId, ['join', ...joinConfigArgs(text)], cwd);
  }

  if (sub === 'join') {
    const endpoint = rest[0]?.startsWith('-') ? undefined : rest[0];
    // Discovery reads cluster-info from the given address; the TLS bootstrap then talks to the
    // controlPlaneEndpoint it names: both must have an API server listening.
    const found = await clusterAt(host.clusters.values(), endpoint);
    const c = found && (await clusterAt([found], found.endpoint)) ? found : undefined;
    const token = flag(rest, '--token') ?? '';
    const hash = flag(rest, '--discovery-token-ca-cert-hash') ?? '';
    const name = flag(rest, '--node-name');
    const cp = rest.includes('--control-plane');
    const errors = preflight(root, { files: ['etc/kubernetes/kubelet.conf', 'etc/kubernetes/pki/ca.crt'] });
    if (errors.length) return preflightFailure(errors);
    const kubeletDown = kubeletNodeIpError(root, 'kubelet-start');
    if (kubeletDown) return kubeletDown;
    if (!c) return fail(`error execution phase preflight: couldn't validate the identity of the API Server: Get "https://${endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp ${endpoint}: connect: connection refused`);
    const expiry = c.tokens.get(token);
    if (expiry === undefined || expiry < Date.now()) {
      return fail(`error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${token.split('.')[0] ?? ''}"`);
    }
    if (hash !== c.pki.caHash) return fail('error execution phase preflight: couldn\'t validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys are pinned');
    if (cp && (!c.certKey || c.certKey.key !== flag(rest, '--certificate-key') || c.certKey.expiresAt < Date.now())) {
      return fail('error execution phase control-plane-prepare/download-certs: error downloading certs: error decoding certificate key: the Secret does not include the required certificate or key');
    }
    const nodeName = name ?? instanceId;
    const existing = c.nodes.get(nodeName);
    if (existing && existing.instanceId !== instanceId) return fail(`error execution phase kubelet-start: a Node with name "${nodeName}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`);
    const kubelet = root.kubeletArgs();
    if (cp) {
      // A new control plane runs its own API server on its advertise address, as kubeadm sets it up.
      const advertise = flag(rest, '--apiserver-advertise-address') ?? kubelet.nodeIp;
      if (!advertise) return fail('error execution phase control-plane-prepare: unable to select an IP address: pass --apiserver-advertise-address');
      try {
        await host.startApi(c, instanceId, advertise, Number(c.endpoint.replace(/^.*:/, '')), await controlPlaneServingCert(c.pki, advertise));
      } catch (e) {
        return preflightFailure([`[ERROR Port-${c.endpoint.replace(/^.*:/, '')}]: Port is in use (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
      }
    }
    c.nodes.set(nodeName, { name: nodeName, uid: newUid(), instanceId, internalIp: kubelet.nodeIp ?? flag(rest, '--apiserver-advertise-address') ?? '', labels: kubelet.labels, controlPlane: cp, unschedulable: false, createdAt: Date.now(), kubeletVersion: (root.installed('kubelet') ?? version).replace(/-.*/, '') });
    writeFile(root, 'etc/kubernetes/kubelet.conf', kubeconfigText(c, `system:node:${nodeName}`));
    writeFile(root, 'etc/kubernetes/pki/ca.crt', c.pki.caPem, 0o644);
    if (cp) writeFile(root, 'etc/kubernetes/admin.conf', kubeconfigText(c, 'kubernetes-admin'));
    return ok(`[preflight] Running pre-flight checks\n[kubelet-start] Starting the kubelet\n\nThis node has joined the cluster${cp ? ' and a new control plane instance was created' : ''}:\n* Certificate signing request was sent to apiserver and a response was received.\n* The Kubelet was informed of the new secure connection details.\n`);
  }

  if (sub === 'reset') {
    // The control plane's static pods go (its etcd member leaves, as reset's remove-etcd-member phase does).
    host.stopApis(instanceId);
    for (const f of ['etc/kubernetes/admin.conf', 'etc/kubernetes/kubelet.conf', 'etc/kubernetes/pki']) rmSync(root.file(f), { recursive: true, force: true });
    return ok('[reset] Deleted contents of the etcd data directory\n');
  }
  return fail(`unknown command "${sub ?? ''}" for "kubeadm" (simulated: init, join, token create, init phase upload-certs, reset, version)`);
}
