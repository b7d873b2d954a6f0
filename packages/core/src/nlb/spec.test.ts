import { describe, expect, it } from 'vitest';
import { parseMcisManifest } from '../orchestrator/mcis-manifest.js';
import { manifestOf } from '../orchestrator/apply.js';
import type { Mcis } from '../model.js';
import { targetAddress, withBalancers, withoutBalancers } from './spec.js';

const manifest = (lbs: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: shop }
spec:
  subgroups:
    - { name: seoul, connection: aws-seoul, count: 2, spec: t3.micro, image: ubuntu-22.04 }
    - { name: tokyo, connection: gcp-tokyo, count: 1, spec: e2-small, image: ubuntu-22.04, firewall: [{ ports: "9100", from: [mcis] }] }
  loadBalancers:
${lbs}`;

const WEB = `    - name: web
      port: 80
      targetPort: 8080
      targets: ["subgroup:seoul", "subgroup:tokyo"]
      healthCheck: { path: /healthz, interval: 5s }
      algorithm: leastconn
      connection: aws-seoul
      spec: t3.micro`;

describe('spec.loadBalancers', () => {
  it('accepts a balancer over two clouds', () => {
    const r = parseMcisManifest(manifest(WEB), 'm.yaml');
    expect(r.errors).toEqual([]);
    expect(r.value?.spec.loadBalancers?.[0]).toMatchObject({ name: 'web', port: 80, targetPort: 8080, algorithm: 'leastconn', healthCheck: { path: '/healthz', interval: '5s' } });
  });

  it('names the field and the fix for bad targets, ports, placement, unknown keys and algorithms', () => {
    const bad = (lb: string) => parseMcisManifest(manifest(lb), 'm.yaml').errors.map((e) => `${e.path}: ${e.message}`).join('\n');
    expect(bad(WEB.replace('subgroup:tokyo', 'subgroup:osaka'))).toMatch(/spec\.loadBalancers\[0\]\.targets\[1\]: no subgroup 'osaka'.*seoul, tokyo/);
    expect(bad(WEB.replace('"subgroup:seoul"', 'seoul'))).toMatch(/targets\[0\]: 'seoul' is not 'subgroup:NAME'/);
    expect(bad(WEB.replace('port: 80', 'port: 70000'))).toMatch(/spec\.loadBalancers\[0\]\.port/);
    expect(bad(WEB.replace('targetPort: 8080', 'targetPort: 0'))).toMatch(/spec\.loadBalancers\[0\]\.targetPort/);
    expect(bad(WEB.replace('port: 80', 'port: 22'))).toMatch(/port: port 22 is the balancer VM's SSH port/);
    expect(bad(WEB.replace('      spec: t3.micro', ''))).toMatch(/spec\.loadBalancers\[0\]: needs connection and spec/);
    expect(bad(WEB.replace('algorithm: leastconn', 'algorithm: random'))).toMatch(/spec\.loadBalancers\[0\]\.algorithm/);
    expect(bad(`${WEB}\n      weight: 3`)).toMatch(/spec\.loadBalancers\[0\].*weight/);
    expect(bad(WEB.replace('interval: 5s', 'interval: soon'))).toMatch(/healthCheck\.interval.*5s/);
    expect(bad(`${WEB}\n${WEB}`)).toMatch(/loadBalancers\[1\]\.name: duplicate load balancer name 'web'/);
  });

  it('becomes a managed subgroup with port open to the world, and targetPort open on the targets to it only', () => {
    const m = parseMcisManifest(manifest(WEB), 'm.yaml').value!;
    const x = withBalancers(m);
    expect(x.spec.subgroups.map((s) => s.name)).toEqual(['seoul', 'tokyo', 'nlb-web']);
    expect(x.spec.subgroups[2]).toMatchObject({ count: 1, connection: 'aws-seoul', spec: 't3.micro', image: 'ubuntu-22.04', firewall: [{ ports: '80', protocol: 'tcp', from: ['0.0.0.0/0'] }] });
    expect(x.spec.subgroups[0]!.firewall).toEqual([{ ports: '8080', protocol: 'tcp', from: ['subgroup:nlb-web'] }]);
    expect(x.spec.subgroups[1]!.firewall).toEqual([{ ports: '9100', from: ['mcis'] }, { ports: '8080', protocol: 'tcp', from: ['subgroup:nlb-web'] }]);
    // Idempotent, and reversible: a record turned back into a manifest is the user's manifest.
    expect(withBalancers(x)).toEqual(x);
    expect(withoutBalancers(x.spec)).toEqual(m.spec);
  });

  it('manifestOf gives back the user manifest from a record that holds the expansion', () => {
    const m = withBalancers(parseMcisManifest(manifest(WEB), 'm.yaml').value!);
    const rec = {
      ns: 'default', name: 'shop', labels: {}, policy: { onFailure: 'continue' }, loadBalancers: m.spec.loadBalancers,
      subgroups: m.spec.subgroups.map((s) => ({ ...s, connection: s.connection!, spec: s.spec! })),
    } as unknown as Mcis;
    const back = manifestOf(rec);
    expect(back.spec.subgroups.map((s) => s.name)).toEqual(['seoul', 'tokyo']);
    expect(back.spec.subgroups[1]!.firewall).toEqual([{ ports: '9100', from: ['mcis'] }]);
    expect(back.spec.loadBalancers).toEqual(m.spec.loadBalancers);
  });

  it('forwards to the overlay IP once a VM has one, else to its public IP', () => {
    expect(targetAddress({ publicIp: '127.1.0.5' })).toBe('127.1.0.5');
    expect(targetAddress({ publicIp: '127.1.0.5', overlayIp: '10.77.0.3' })).toBe('10.77.0.3');
    expect(targetAddress({})).toBeUndefined();
  });
});
