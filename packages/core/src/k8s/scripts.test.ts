import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { finishedSteps, parseJoinCommand, shQuote, STEP_LAUNCHER, STEPS, stepScript, stepsScript } from './scripts.js';

const hasShellcheck = optionalTool('shellcheck', 'apt-get install -y shellcheck') !== undefined;

/** Every variable any step reads, so shellcheck sees them assigned (cbadm exports them the same way). */
const VARS = Object.fromEntries(
  ['CNI', 'PORTS', 'K8S_VERSION', 'K8S_PKG_VERSION', 'K8S_MINOR', 'NODE_IP', 'NODE_LABELS', 'NODE_NAME', 'ROLE', 'API_PORT', 'CLUSTER_NAME', 'ENDPOINT', 'CERT_SANS', 'POD_CIDR', 'SERVICE_CIDR', 'CNI_MANIFEST_URL', 'WANT_CERT_KEY', 'JOIN_ENDPOINT', 'JOIN_TOKEN', 'JOIN_CA_HASH', 'JOIN_CERT_KEY'].map((k) => [k, 'x']),
);

describe('bootstrap scripts', () => {
  it.skipIf(!hasShellcheck)('pass shellcheck, each as cbadm sends it', () => {
    for (const step of STEPS) {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${stepScript(step, VARS, ['get', 'nodes'])}`, encoding: 'utf8' });
      expect(r.stdout, `${step}.sh`).toBe('');
      expect(r.status, `${step}.sh`).toBe(0);
    }
    // Combined, each step sits in a subshell: shellcheck's notes about subshell-local exports are expected.
    const combined = spawnSync('shellcheck', ['-s', 'sh', '-S', 'warning', '-'], { input: `#!/bin/sh\n${stepsScript([['preflight', VARS], ['containerd', VARS], ['packages', VARS]])}`, encoding: 'utf8' });
    expect(combined.stdout).toBe('');
    const launcher = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${STEP_LAUNCHER}\n`, encoding: 'utf8' });
    expect(launcher.stdout).toBe('');
  });

  it('quotes values for sh and carries secrets only in the script text', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    const text = stepScript('join', { ...VARS, JOIN_TOKEN: 'abcdef.0123456789abcdef' });
    expect(text).toContain("export JOIN_TOKEN='abcdef.0123456789abcdef'");
    expect(STEP_LAUNCHER).not.toMatch(/TOKEN|HASH/);
  });

  it('joins with the token and certificate key in a 0600 config file, never on the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-join-'));
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      // kubeadm keeps its argv, its --config file and that file's mode, as a process lister would see them.
      writeFileSync(join(bin, 'kubeadm'), '#!/bin/sh\nprintf "%s\\n" "$@" >"$SEEN/argv"\ncp "$3" "$SEEN/config"\nstat -c %a "$3" >"$SEEN/mode"\n');
      chmodSync(join(bin, 'kubeadm'), 0o755);
      const token = 'abcdef.0123456789abcdef';
      const certKey = 'c'.repeat(64);
      const hash = `sha256:${'a'.repeat(64)}`;
      const vars = { ...VARS, ROLE: 'control-plane', NODE_NAME: 'cp-2', NODE_IP: '10.0.0.2', JOIN_ENDPOINT: '10.0.0.1:6443', JOIN_TOKEN: token, JOIN_CA_HASH: hash, JOIN_CERT_KEY: certKey };
      const root = join(dir, 'root');
      const r = spawnSync('sh', ['-s'], { input: stepScript('join', vars), encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, CB_SYSROOT: root, SEEN: dir } });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('joined');
      const argv = readFileSync(join(dir, 'argv'), 'utf8');
      expect(argv).toBe(`join\n--config\n${root}/etc/kubernetes/kubeadm-join.yaml\n`);
      expect(readFileSync(join(dir, 'mode'), 'utf8').trim()).toBe('600');
      const config = readFileSync(join(dir, 'config'), 'utf8');
      expect(config).toContain('kind: JoinConfiguration');
      for (const v of [`apiServerEndpoint: "10.0.0.1:6443"`, `token: "${token}"`, `- "${hash}"`, `name: "cp-2"`, `certificateKey: "${certKey}"`, `advertiseAddress: "10.0.0.2"`]) expect(config).toContain(v);
      // The file does not outlive the join.
      expect(existsSync(join(root, 'etc/kubernetes/kubeadm-join.yaml'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs several steps in one session and reports which finished', () => {
    const r = spawnSync('sh', ['-s'], { input: stepsScript([['kubectl', {}], ['admin-conf', {}]]).replace(/kubectl --kubeconfig[^\n]*/, 'true'), encoding: 'utf8', env: { CB_SYSROOT: '/nonexistent' } });
    expect(finishedSteps(r.stdout)).toEqual(['kubectl']);
    expect(r.status).toBe(1);
  });

  it('parses the join command kubeadm prints', () => {
    const hash = `sha256:${'a'.repeat(64)}`;
    expect(parseJoinCommand(`kubeadm join 1.2.3.4:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${hash} \n`)).toEqual({ endpoint: '1.2.3.4:6443', token: 'abcdef.0123456789abcdef', caHash: hash });
    expect(parseJoinCommand('nothing here')).toBeUndefined();
  });

  it('rewrites the CNI manifest: flannel to WireGuard on the pod CIDR, Calico to the Node IP on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cni-'));
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      // curl serves the manifest given; kubectl keeps what it was asked to apply.
      writeFileSync(join(bin, 'curl'), '#!/bin/sh\ncat "$FAKE_MANIFEST"\n');
      writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -f ] && cp "$2" "$APPLIED"; shift; done\n');
      for (const f of ['curl', 'kubectl']) chmodSync(join(bin, f), 0o755);
      const run = (cni: string, manifest: string) => {
        writeFileSync(join(dir, 'in.yaml'), manifest);
        const r = spawnSync('sh', ['-s'], {
          input: stepScript('cni', { CNI: cni, POD_CIDR: '10.32.0.0/16', CNI_MANIFEST_URL: 'https://example.invalid/cni.yaml' }),
          encoding: 'utf8',
          env: { PATH: `${bin}:${process.env.PATH ?? ''}`, CB_SYSROOT: join(dir, 'root'), FAKE_MANIFEST: join(dir, 'in.yaml'), APPLIED: join(dir, 'applied.yaml') },
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return readFileSync(join(dir, 'applied.yaml'), 'utf8');
      };
      const flannel = run('flannel', 'net-conf.json: |\n    {\n      "Network": "10.244.0.0/16",\n      "Backend": {\n        "Type": "vxlan"\n      }\n    }\n');
      expect(flannel).toContain('"Network": "10.32.0.0/16"');
      expect(flannel).toContain('"Type": "wireguard"');
      const calico = run(
        'calico',
        [
          '          env:',
          '            - name: IP',
          '              value: "autodetect"',
          '            # - name: CALICO_IPV4POOL_CIDR',
          '            #   value: "192.168.0.0/16"',
          '',
        ].join('\n'),
      );
      expect(calico).toBe(
        [
          '          env:',
          '            - name: IP',
          '              value: "autodetect"',
          '            - name: IP_AUTODETECTION_METHOD',
          '              value: "kubernetes-internal-ip"',
          '            - name: CALICO_IPV4POOL_CIDR',
          '              value: "10.32.0.0/16"',
          '',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
