import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { finishedSteps, parseJoinCommand, shQuote, STEP_LAUNCHER, STEPS, stepScript, stepsScript } from './scripts.js';

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!hasShellcheck) process.stderr.write('SKIP k8s script shellcheck: the shellcheck binary is missing (apt-get install -y shellcheck)\n');

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
});
