import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKubeconfigPath, forgetCluster, mergeKubeconfig, readKubeconfig, renameKubeconfig, withoutCluster, writeKubeconfig } from './kubeconfig.js';

const admin = `apiVersion: v1
clusters:
- cluster: { certificate-authority-data: Q0E=, server: 'https://127.1.0.1:6443' }
  name: kubernetes
contexts:
- context: { cluster: kubernetes, user: kubernetes-admin }
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
users:
- name: kubernetes-admin
  user: { client-certificate-data: Q0VSVA==, client-key-data: S0VZ }
`;

describe('kubeconfig', () => {
  it("refuses an admin.conf whose user would make kubectl run a program, unless allowed", () => {
    const exec = admin.replace('user: { client-certificate-data: Q0VSVA==, client-key-data: S0VZ }', 'user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: /tmp/evil } }');
    const provider = admin.replace('user: { client-certificate-data: Q0VSVA==, client-key-data: S0VZ }', 'user: { auth-provider: { name: oidc, config: {} } }');
    expect(() => renameKubeconfig(exec, 'multi')).toThrow(/admin\.conf user "kubernetes-admin" has an 'exec' entry: kubectl would run a program/);
    expect(() => renameKubeconfig(provider, 'multi')).toThrow(/"kubernetes-admin" has an 'auth-provider' entry/);
    expect(renameKubeconfig(exec, 'multi', { allowExec: true }).config.users?.[0]?.user).toEqual({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/tmp/evil' } });
    expect(() => renameKubeconfig(admin, 'multi')).not.toThrow();
  });

  it('renames the admin.conf after the cluster', () => {
    const { config, server } = renameKubeconfig(admin, 'multi');
    expect(server).toBe('https://127.1.0.1:6443');
    expect(config.contexts).toEqual([{ name: 'multi', context: { cluster: 'multi', user: 'multi-admin' } }]);
  });
  it('merges without touching other contexts, replacing its own', () => {
    const other = { clusters: [{ name: 'prod', cluster: { server: 'https://prod' } }], users: [{ name: 'me', user: {} }], contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }], 'current-context': 'prod' };
    const { config } = renameKubeconfig(admin, 'multi');
    const once = mergeKubeconfig(other, config, false);
    const twice = mergeKubeconfig(once, config, false);
    expect(twice.contexts?.map((c) => c.name)).toEqual(['prod', 'multi']);
    expect(twice['current-context']).toBe('prod');
    expect(mergeKubeconfig(other, config, true)['current-context']).toBe('multi');
  });
  it('honours KUBECONFIG and HOME, and writes 0600', () => {
    expect(defaultKubeconfigPath({ KUBECONFIG: '/a/b:/c', HOME: '/h' })).toBe('/a/b');
    expect(defaultKubeconfigPath({ HOME: '/h' })).toBe('/h/.kube/config');
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const file = join(dir, '.kube', 'config');
    writeKubeconfig(file, renameKubeconfig(admin, 'multi').config);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readKubeconfig(file).clusters?.[0]?.name).toBe('multi');
    expect(readFileSync(file, 'utf8')).toContain('current-context: multi');
  });

  it('takes the cluster out again: its three entries go, others stay, a current context on it is unset', () => {
    const other = { clusters: [{ name: 'prod', cluster: { server: 'https://prod' } }], users: [{ name: 'me', user: {} }], contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }], 'current-context': 'prod' };
    const merged = mergeKubeconfig(other, renameKubeconfig(admin, 'multi').config, true);
    const { config, removed } = withoutCluster(merged, 'multi');
    expect(removed).toBe(true);
    expect([config.clusters, config.users, config.contexts].map((l) => l?.map((x) => x.name))).toEqual([['prod'], ['me'], ['prod']]);
    expect(config['current-context']).toBeUndefined();
    expect(withoutCluster(mergeKubeconfig(other, renameKubeconfig(admin, 'multi').config, false), 'multi').config['current-context']).toBe('prod');
    expect(withoutCluster(other, 'multi').removed).toBe(false);
  });
  it("forgetCluster edits the user's file and deletes cbadm's own file once it holds nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const own = join(dir, 'kube');
    mkdirSync(own);
    const mine = join(own, 'default-multi.yaml');
    writeKubeconfig(mine, renameKubeconfig(admin, 'multi').config);
    const users = join(dir, 'config');
    writeKubeconfig(users, mergeKubeconfig({ contexts: [{ name: 'prod', context: {} }] }, renameKubeconfig(admin, 'multi').config, false));
    expect(forgetCluster(mine, 'multi', own)).toEqual({ file: mine, outcome: 'file' });
    expect(existsSync(mine)).toBe(false);
    expect(forgetCluster(users, 'multi', own)).toEqual({ file: users, outcome: 'context' });
    expect(readKubeconfig(users).contexts?.map((c) => c.name)).toEqual(['prod']);
    expect(forgetCluster(users, 'multi', own).outcome).toBe('absent');
    expect(forgetCluster(join(dir, 'gone'), 'multi', own).outcome).toBe('absent');
  });
});
