import { describe, expect, it } from 'vitest';
import { parseMcisManifest } from './orchestrator/mcis-manifest.js';

const good = `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata:
  name: web
  labels: { team: sre }
spec:
  subgroups:
    - name: seoul
      connection: twin-aws-ap-northeast-2
      count: 2
      spec: t3.small
      image: ubuntu-22.04
      rootDisk: { sizeGb: 20 }
    - name: tokyo
      connection: twin-aws-ap-northeast-1
      count: 2
      spec: t3.small
      image: ubuntu-22.04
  policy: { onFailure: rollback, parallelism: 10 }
`;

describe('parseMcisManifest', () => {
  it('accepts a valid manifest', () => {
    const r = parseMcisManifest(good);
    expect(r.errors).toEqual([]);
    expect(r.value?.spec.subgroups.map((s) => s.count)).toEqual([2, 2]);
    expect(r.value?.spec.policy?.onFailure).toBe('rollback');
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = parseMcisManifest('kind: MCIS\nspec: [unclosed\n', 'm.yaml');
    expect(r.value).toBeUndefined();
    expect(r.errors[0]?.path).toMatch(/^m\.yaml:\d+:\d+$/);
    expect(r.errors[0]?.message).toMatch(/YAML syntax/);
  });

  it('refuses an sshUser that ssh would read as an option', () => {
    const r = parseMcisManifest(good.replace('      image: ubuntu-22.04\n      rootDisk', '      image: ubuntu-22.04\n      sshUser: "-oProxyCommand=touch /tmp/pwned"\n      rootDisk'));
    expect(r.value).toBeUndefined();
    expect(r.errors).toEqual([{ path: 'spec.subgroups[0].sshUser', message: expect.stringMatching(/start with a letter or _/) as string }]);
    expect(parseMcisManifest(good.replace('      image: ubuntu-22.04\n      rootDisk', '      image: ubuntu-22.04\n      sshUser: ec2-user\n      rootDisk')).errors).toEqual([]);
  });

  it('names the field path of each bad value', () => {
    const r = parseMcisManifest(good.replace('count: 2\n      spec: t3.small\n      image: ubuntu-22.04\n  policy', 'count: 0\n      spec: t3.small\n      image: ubuntu-22.04\n  policy'));
    expect(r.errors).toContainEqual(expect.objectContaining({ path: 'spec.subgroups[1].count' }));
  });

  it('flags unknown fields (typos) and missing required ones', () => {
    const r = parseMcisManifest(good.replace('count: 2\n      spec: t3.small\n      image: ubuntu-22.04\n      rootDisk', 'cuont: 2\n      spec: t3.small\n      image: ubuntu-22.04\n      rootDisk'));
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('spec.subgroups[0]');
    expect(paths).toContain('spec.subgroups[0].count');
    expect(r.errors.find((e) => e.path === 'spec.subgroups[0]')?.message).toMatch(/unknown field.*'cuont'/);
    expect(r.errors.find((e) => e.path === 'spec.subgroups[0].count')?.message).toMatch(/required/);
  });

  it('flags unknown keys at every depth, each with the closest known field', () => {
    const r = parseMcisManifest(good.replace('rootDisk: { sizeGb: 20 }', 'rootDisk: { sizeGB: 20, tpye: gp3 }').replace('parallelism: 10', 'paralellism: 10').replace('labels: { team: sre }', 'labels: { team: sre }\n  namespce: prod'));
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: 'spec.subgroups[0].rootDisk', message: "unknown field 'sizeGB': did you mean 'sizeGb'?" },
        { path: 'spec.subgroups[0].rootDisk', message: "unknown field 'tpye': did you mean 'type'?" },
        { path: 'spec.policy', message: "unknown field 'paralellism': did you mean 'parallelism'?" },
        { path: 'metadata', message: "unknown field 'namespce': did you mean 'namespace'?" },
      ]),
    );
    const far = parseMcisManifest(good.replace('rootDisk: { sizeGb: 20 }', 'rootDisk: { encrypted: true }'));
    expect(far.errors).toEqual([{ path: 'spec.subgroups[0].rootDisk', message: "unknown field 'encrypted': remove it or use one of sizeGb, type" }]);
  });

  it('refuses bad names, wrong kind and duplicate subgroups', () => {
    const r = parseMcisManifest(good.replace('kind: MCIS', 'kind: Mcis').replace('name: web', 'name: Web_1').replace('name: tokyo', 'name: seoul'));
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['kind', 'metadata.name']));
    const dup = parseMcisManifest(good.replace('name: tokyo', 'name: seoul'));
    expect(dup.errors.map((e) => e.path)).toEqual(['spec.subgroups[1].name']);
    expect(dup.errors[0]?.message).toMatch(/duplicate/);
  });

  it('warns (without failing) when parallelism exceeds the VM count', () => {
    const r = parseMcisManifest(good.replace('parallelism: 10', 'parallelism: 50'));
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]?.path).toBe('spec.policy.parallelism');
  });
});
