import { describe, expect, it } from 'vitest';
import { parseK8sManifest } from './manifest.js';

const base = (spec: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: K8sCluster
metadata: { name: multi }
spec:
${spec}`;
const cp = '  controlPlane: { name: cp, connection: aws-seoul, count: 1, spec: t3.medium }\n';
const workers = '  workers:\n    - { name: w, connection: gcp-tokyo, count: 3, spec: e2-medium }\n';

describe('K8sCluster manifests', () => {
  it('accepts a valid cluster and fills the defaults', () => {
    const v = parseK8sManifest(base(cp + workers));
    expect(v.errors).toEqual([]);
    expect(v.value?.spec.kubernetes).toEqual({ version: '1.30.2', minor: '1.30', cni: 'flannel', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12', apiPort: 6443 });
    expect(v.value?.spec.controlPlane).toHaveLength(1);
    expect(v.value?.spec.workers[0]?.image).toBe('ubuntu-22.04');
  });
  it('rejects a cluster without a control plane', () => {
    const errors = parseK8sManifest(base(workers)).errors;
    expect(errors.map((e) => e.path)).toEqual(['spec.controlPlane']);
    expect(errors[0]?.message).toMatch(/needs a control plane/);
  });
  it('rejects an even control plane unless stated', () => {
    const even = '  controlPlane: { name: cp, connection: aws-seoul, count: 2, spec: t3.medium }\n';
    const e = parseK8sManifest(base(even + workers)).errors[0];
    expect(e?.path).toBe('spec.controlPlane');
    expect(e?.message).toMatch(/odd number.*allowEvenControlPlane/);
    expect(parseK8sManifest(base(`${even + workers}  allowEvenControlPlane: true\n`)).errors).toEqual([]);
  });
  it('rejects an unknown CNI, naming the known ones', () => {
    const v = parseK8sManifest(base(`${cp}  kubernetes: { cni: weave }\n`));
    expect(v.errors.map((e) => e.path)).toEqual(['spec.kubernetes.cni']);
    expect(v.errors[0]?.message).toMatch(/unknown CNI 'weave'.*flannel, kilo, calico/);
  });
  it('rejects overlapping and malformed CIDRs', () => {
    const overlap = parseK8sManifest(base(`${cp}  kubernetes: { podCidr: 10.96.0.0/16 }\n`)).errors;
    expect(overlap.map((e) => e.path)).toEqual(['spec.kubernetes.podCidr']);
    expect(overlap[0]?.message).toMatch(/overlaps serviceCidr/);
    expect(parseK8sManifest(base(`${cp}  kubernetes: { serviceCidr: 10.96.0.1/12 }\n`)).errors[0]?.path).toBe('spec.kubernetes.serviceCidr');
  });
  it('rejects duplicate node set names and unknown fields', () => {
    const dup = `${cp}  workers:\n    - { name: cp, connection: x, count: 1, spec: s }\n`;
    expect(parseK8sManifest(base(dup)).errors[0]?.path).toBe('spec.workers[0].name');
    expect(parseK8sManifest(base(`${cp}  workerz: []\n`)).errors[0]?.message).toMatch(/unknown field/);
    expect(parseK8sManifest(base(`${cp}  kubernetes: { podCIDR: 10.244.0.0/16 }\n`)).errors).toEqual([{ path: 'spec.kubernetes', message: "unknown field 'podCIDR': did you mean 'podCidr'?" }]);
    const cpTypo = '  controlPlane: { name: cp, connection: aws-seoul, count: 1, spce: t3.medium }\n';
    expect(parseK8sManifest(base(cpTypo)).errors).toContainEqual({ path: 'spec.controlPlane', message: "unknown field 'spce': did you mean 'spec'?" });
  });
  it('places node sets by requirements, or by connection and spec, never both or neither', () => {
    const near = `${cp}  workers:\n    - { name: w, count: 2, requirements: { vcpu: 2, memory: 4, near: Seoul } }\n`;
    const v = parseK8sManifest(base(near));
    expect(v.errors).toEqual([]);
    expect(v.value?.spec.workers[0]).toMatchObject({ name: 'w', count: 2, requirements: { vcpu: 2, memory: 4, near: 'Seoul' } });
    const both = `${cp}  workers:\n    - { name: w, connection: gcp-tokyo, count: 1, requirements: { vcpu: 2 } }\n`;
    const bothErrors = parseK8sManifest(base(both)).errors;
    expect(bothErrors.map((e) => e.path)).toEqual(['spec.workers[0].requirements']);
    expect(bothErrors[0]?.message).toMatch(/either connection or requirements, not both/);
    const neither = `${cp}  workers:\n    - { name: w, count: 1 }\n`;
    const neitherErrors = parseK8sManifest(base(neither)).errors;
    expect(neitherErrors.map((e) => e.path)).toEqual(['spec.workers[0]']);
    expect(neitherErrors[0]?.message).toMatch(/needs connection and spec, or requirements/);
    const noSpec = '  controlPlane: { name: cp, connection: aws-seoul, count: 1 }\n';
    expect(parseK8sManifest(base(noSpec)).errors.map((e) => e.path)).toEqual(['spec.controlPlane.spec']);
    const badReq = `${cp}  workers:\n    - { name: w, count: 1, requirements: { vcpu: -1 } }\n`;
    expect(parseK8sManifest(base(badReq)).errors[0]?.path).toMatch(/^spec\.workers\[0\]\.requirements/);
  });
  it('takes a control-plane endpoint of the user\'s (host or host:port), refuses anything else', () => {
    const lb = (ep: string) => parseK8sManifest(base(`${cp}  kubernetes: { controlPlaneEndpoint: "${ep}" }\n`));
    expect(lb('k8s.example.com').value?.spec.kubernetes.controlPlaneEndpoint).toBe('k8s.example.com:6443');
    expect(lb('203.0.113.10:443').value?.spec.kubernetes.controlPlaneEndpoint).toBe('203.0.113.10:443');
    expect(parseK8sManifest(base(cp)).value?.spec.kubernetes.controlPlaneEndpoint).toBeUndefined();
    for (const bad of ['https://k8s.example.com', 'k8s.example.com:99999', '300.1.1.1', '-bad-.example.com', '']) {
      expect(lb(bad).errors.map((e) => e.path), bad).toEqual(['spec.kubernetes.controlPlaneEndpoint']);
    }
    expect(lb('k8s .example.com').errors[0]?.message).toMatch(/host or host:port/);
  });
});
