/**
 * The simulated node runtime without SSH: the shims act on the VM's system root only, kubeadm and
 * kubectl reach the twin, the cluster's API answers the real kubectl when it is installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { NodeRuntime } from './runtime.js';

const stateDir = mkdtempSync(join(tmpdir(), 'twin-k8s-'));
let server: Server;
let url = '';
const nodeToken = (id: string) => `${id}.node-token-of-${id}`;
const runtime = new NodeRuntime({ stateDir, twinUrl: () => url, nodeToken, readyDelayMs: 0, log: () => {} });
const hasKubectl = optionalTool('kubectl', 'apt-get install -y kubernetes-client') !== undefined;

/** Runs as the twin's SSH server would (asynchronously: the twin answers in this very process). */
function sh(id: string, script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Only what the twin gives a VM: nothing of the test's own environment leaks in.
  return run('/bin/sh', ['-c', script], { ...runtime.vmEnv(id), CB_TWIN_INSTANCE_ID: id, HOME: stateDir });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd: stateDir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  // As the twin's server does: a call without the VM's node token is refused before the runtime.
  server = createServer((req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const id = token.slice(0, token.indexOf('.'));
    if (!id || token !== nodeToken(id)) return void res.writeHead(401).end('no node token');
    void runtime.handle(req, res, new URL(req.url ?? '/', 'http://x').pathname, id);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const id of ['i-cp', 'i-w', 'i-cp2', 'i-nat']) runtime.prepare(id);
});
afterAll(() => {
  runtime.close();
  server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('simulated node runtime', () => {
  it('keeps package, service, swap and sysctl changes inside the VM', async () => {
    const r = (await sh('i-cp', 'sudo -n apt-get install -y containerd "kubeadm=1.30.2-1.1" "kubelet=1.30.2-1.1" "kubectl=1.30.2-1.1" && sudo swapoff -a && sudo systemctl enable --now containerd && mkdir -p "$CB_SYSROOT/etc/sysctl.d" && echo "net.ipv4.ip_forward = 1" > "$CB_SYSROOT/etc/sysctl.d/k8s.conf" && sysctl --system && dpkg-query -W -f="\\${Version}" kubeadm && systemctl is-active containerd && swapon --show'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1.30.2-1.1active\n');
    const pkgs = join(stateDir, 'vms', 'i-cp', 'sysroot', 'var', 'lib', 'cloud-twin', 'pkgs');
    expect(readFileSync(join(pkgs, 'kubeadm'), 'utf8').trim()).toBe('1.30.2-1.1');
    // kubeadm is "not installed" on a VM that never installed it.
    expect((await sh('i-w', 'kubeadm version')).status).toBe(127);
  });

  it('has a kubelet that refuses a --node-ip on no interface, until ip addr puts it on lo', async () => {
    const setup = 'apt-get install -y containerd kubeadm=1.30.2-1.1 kubelet=1.30.2-1.1 && swapoff -a && systemctl enable --now containerd kubelet && mkdir -p "$CB_SYSROOT/etc/sysctl.d" "$CB_SYSROOT/etc/default" && echo "net.ipv4.ip_forward=1" > "$CB_SYSROOT/etc/sysctl.d/k.conf" && sysctl --system && echo \'KUBELET_EXTRA_ARGS="--node-ip=203.0.113.7"\' > "$CB_SYSROOT/etc/default/kubelet"';
    expect((await sh('i-nat', setup)).status).toBe(0);
    const join = 'kubeadm join 127.0.0.1:1 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00 --node-name nat';
    expect((await sh('i-nat', join)).stderr).toMatch(/node IP: "203\.0\.113\.7" not found in the host's network interfaces/);
    const ip = await sh('i-nat', 'ip addr replace 203.0.113.7/32 dev lo && ip addr replace 203.0.113.7/32 dev lo && ip -o -4 addr show');
    expect(ip.stdout).toBe('1: lo    inet 127.0.0.1/8 scope global lo\n2: lo    inet 203.0.113.7/32 scope global lo\n');
    expect((await sh('i-nat', 'ip addr add 203.0.113.7/32 dev lo')).stderr).toContain('File exists');
    // Past the kubelet now: the join fails where it should, at discovery.
    expect((await sh('i-nat', join)).stderr).toMatch(/couldn't validate the identity of the API Server/);
    expect((await sh('i-nat', 'ip route')).stderr).toMatch(/not simulated/);
  });

  it('runs kubeadm init and join against the twin, and serves the API to kubectl', async () => {
    await sh('i-w', 'apt-get install -y containerd kubeadm=1.30.2-1.1 kubelet=1.30.2-1.1 && swapoff -a && systemctl enable --now containerd kubelet && mkdir -p "$CB_SYSROOT/etc/sysctl.d" && echo "net.ipv4.ip_forward=1" > "$CB_SYSROOT/etc/sysctl.d/k.conf" && sysctl --system');
    await sh('i-cp', 'systemctl enable --now kubelet');
    const config = join(stateDir, 'vms', 'i-cp', 'sysroot', 'kubeadm.yaml');
    const port = await freePort();
    writeFileSync(config, `localAPIEndpoint:\n  advertiseAddress: "127.0.0.1"\n  bindPort: ${port}\nnodeRegistration:\n  name: "cp-1"\nclusterName: "sim"\nkubernetesVersion: "v1.30.2"\n`);
    const init = (await sh('i-cp', `kubeadm init --config ${config} --upload-certs`));
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain('initialized successfully');
    const joinCmd = (await sh('i-cp', 'kubeadm token create --print-join-command'));
    const [, endpoint, token, hash] = /kubeadm join (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+)/.exec(joinCmd.stdout) ?? [];
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const bad = (await sh('i-w', `kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash sha256:${'0'.repeat(64)} --node-name w-1`));
    expect(bad.stderr).toMatch(/none of the public keys are pinned/);
    expect((await sh('i-w', `kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash ${hash} --node-name w-1`)).status).toBe(0);
    const admin = join(stateDir, 'vms', 'i-cp', 'sysroot', 'etc', 'kubernetes', 'admin.conf');
    expect(existsSync(admin)).toBe(true);
    // No CNI yet: NotReady, as on a real cluster.
    expect((await sh('i-cp', `kubectl --kubeconfig ${admin} get nodes`)).stdout).toMatch(/w-1\s+NotReady/);
    writeFileSync(join(stateDir, 'flannel.yaml'), 'kind: DaemonSet\nmetadata:\n  name: kube-flannel-ds\n');
    expect((await sh('i-cp', `kubectl --kubeconfig ${admin} apply -f flannel.yaml`)).stdout).toContain('daemonset.apps/kube-flannel-ds created');
    expect((await sh('i-cp', `kubectl --kubeconfig ${admin} wait --for=condition=Ready node/cp-1 node/w-1 --timeout=5s`)).status).toBe(0);
    if (hasKubectl) {
      const real = await run('kubectl', ['--kubeconfig', admin, 'get', 'nodes', '-o', 'name'], process.env);
      expect(real.stdout.trim().split('\n')).toEqual(['node/cp-1', 'node/w-1']);
    }
    // Arguments reach the twin byte for byte (quotes, spaces, an empty one), through bash's /dev/tcp
    // client and through the node fallback alike.
    const odd = `note=it's "quoted"  and spaced`;
    expect((await sh('i-cp', `kubectl --kubeconfig ${admin} annotate node cp-1 --overwrite '${odd.replace(/'/g, `'\\''`)}' ''`)).status).toBe(0);
    const cp1 = JSON.parse((await sh('i-cp', `kubectl --kubeconfig ${admin} get node cp-1 -o json`)).stdout) as { metadata: { annotations: Record<string, string> } };
    expect(cp1.metadata.annotations.note).toBe(`it's "quoted"  and spaced`);
    const shimJs = fileURLToPath(new URL('../../dist/k8s/shim-main.js', import.meta.url));
    const viaNode = await run(process.execPath, [shimJs, 'kubectl', '--kubeconfig', admin, 'get', 'node', 'cp-1', '-o', 'json'], { ...runtime.vmEnv('i-cp'), CB_TWIN_INSTANCE_ID: 'i-cp' });
    expect((JSON.parse(viaNode.stdout) as { metadata: { annotations: Record<string, string> } }).metadata.annotations.note).toBe(cp1.metadata.annotations.note);
    expect((await sh('i-cp', `kubectl --kubeconfig ${admin} drain w-1 --ignore-daemonsets && kubectl --kubeconfig ${admin} delete node w-1`)).stdout).toContain('node "w-1" deleted');
  });

  it('runs an API server on every control plane, and keeps the cluster while one is left', async () => {
    const prep = 'apt-get install -y containerd kubeadm=1.30.2-1.1 kubelet=1.30.2-1.1 kubectl=1.30.2-1.1 && swapoff -a && systemctl enable --now containerd kubelet && mkdir -p "$CB_SYSROOT/etc/sysctl.d" && echo "net.ipv4.ip_forward=1" > "$CB_SYSROOT/etc/sysctl.d/k.conf" && sysctl --system';
    expect((await sh('i-cp2', prep)).status).toBe(0);
    const admin = join(stateDir, 'vms', 'i-cp', 'sysroot', 'etc', 'kubernetes', 'admin.conf');
    const info = await sh('i-cp', 'kubeadm token create --print-join-command && kubeadm init phase upload-certs --upload-certs');
    const [, endpoint, token, hash] = /kubeadm join (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+)/.exec(info.stdout) ?? [];
    const certKey = info.stdout.trim().split('\n').pop();
    const port = endpoint!.split(':')[1]!;
    const noKey = await sh('i-cp2', `kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash ${hash} --node-name cp-2 --control-plane --apiserver-advertise-address 127.0.0.2`);
    expect(noKey.stderr).toMatch(/error downloading certs/);
    // The join secrets in a JoinConfiguration file (as the bootstrap sends them), not on the command line.
    const joinConfig = join(stateDir, 'vms', 'i-cp2', 'sysroot', 'kubeadm-join.yaml');
    writeFileSync(joinConfig, `apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: "${endpoint}"\n    token: "${token}"\n    caCertHashes:\n      - "${hash}"\nnodeRegistration:\n  name: "cp-2"\ncontrolPlane:\n  certificateKey: "${certKey}"\n  localAPIEndpoint:\n    advertiseAddress: "127.0.0.2"\n`);
    expect((await sh('i-cp2', `kubeadm join --config ${joinConfig} --node-name cp-2`)).stderr).toMatch(/can not mix '--config' with arguments/);
    const joined = await sh('i-cp2', `kubeadm join --config ${joinConfig}`);
    expect(joined.stdout).toContain('a new control plane instance was created');
    const cp2Admin = join(stateDir, 'vms', 'i-cp2', 'sysroot', 'etc', 'kubernetes', 'admin.conf');
    // The second control plane answers on its own address, with a certificate naming it.
    expect((await sh('i-cp2', `kubectl --kubeconfig ${cp2Admin} --server https://127.0.0.2:${port} get nodes -o name`)).stdout).toContain('node/cp-2');
    if (hasKubectl) {
      const real = await run('kubectl', ['--kubeconfig', admin, '--server', `https://127.0.0.2:${port}`, 'get', 'nodes', '-o', 'name'], process.env);
      expect(real.stderr).toBe('');
      expect(real.stdout).toContain('node/cp-2');
    }
    // The first control plane's VM goes: its address stops answering, the cluster lives on at cp-2.
    runtime.vmGone('i-cp');
    rmSync(join(stateDir, 'vms', 'i-cp'), { recursive: true, force: true }); // its disk goes too, as the twin's lifecycle does
    expect((await sh('i-cp2', `kubectl --kubeconfig ${cp2Admin} get nodes`)).stderr).toMatch(/connection refused/);
    const after = await sh('i-cp2', `kubectl --kubeconfig ${cp2Admin} --server https://127.0.0.2:${port} get nodes`);
    expect(after.stdout).toMatch(/cp-1\s+NotReady/);
    expect(after.stdout).toMatch(/cp-2\s+Ready/);
    const cp1 = JSON.parse((await sh('i-cp2', `kubectl --kubeconfig ${cp2Admin} --server https://127.0.0.2:${port} get node cp-1 -o json`)).stdout) as { status: { conditions: Array<{ type: string; status: string; reason: string }> } };
    expect(cp1.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' });
    // kubeadm reset on the last control plane takes the cluster's last API server down with it.
    const saved = join(stateDir, 'saved-admin.conf');
    writeFileSync(saved, readFileSync(cp2Admin));
    expect((await sh('i-cp2', 'kubeadm reset -f')).status).toBe(0);
    expect((await sh('i-cp2', `kubectl --kubeconfig ${saved} --server https://127.0.0.2:${port} get nodes`)).stderr).toMatch(/connection refused/);
  });
});

describe('node tokens', () => {
  it('a VM runs commands as itself only: another instance id with its token, or no token, is refused', async () => {
    runtime.prepare('i-tok');
    expect((await sh('i-tok', 'apt-get install -y kubectl=1.30.2-1.1')).status).toBe(0);
    const own = await sh('i-tok', 'kubectl version --client');
    expect(own).toMatchObject({ status: 0, stdout: expect.stringMatching(/Client Version/) as unknown });
    const asOther = await run('/bin/sh', ['-c', 'kubectl version --client'], { ...runtime.vmEnv('i-tok'), CB_TWIN_NODE_TOKEN: runtime.vmEnv('i-w').CB_TWIN_NODE_TOKEN, CB_TWIN_INSTANCE_ID: 'i-tok', HOME: stateDir });
    expect(asOther.status).toBe(1);
    expect(asOther.stderr).toMatch(/answered 403/);
    const noToken: Record<string, string> = { ...runtime.vmEnv('i-tok') };
    delete noToken.CB_TWIN_NODE_TOKEN;
    const without = await run('/bin/sh', ['-c', 'kubectl version --client'], { ...noToken, CB_TWIN_INSTANCE_ID: 'i-tok', HOME: stateDir });
    expect(without.status).toBe(1);
    expect(without.stderr).toMatch(/answered 401/);
  });
});
