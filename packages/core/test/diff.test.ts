import { describe, expect, it } from 'vitest';
import type { Mcis, Vm } from '../src/model.js';
import { diffMcis, driftOf, emptyCloudView, type CloudView } from '../src/orchestrator/diff.js';
import type { CreatePlan } from '../src/orchestrator/plan.js';

const shape = { connection: 'c1', provider: 'aws', region: 'r1', spec: 's1', image: 'ubuntu-22.04' };

function plan(counts: Record<string, number>, spec = 's1'): CreatePlan {
  const subgroups = Object.entries(counts).map(([name, count]) => ({ name, count, connection: 'c1', provider: 'aws', region: 'r1', spec, image: 'ubuntu-22.04' }));
  return {
    ns: 'default',
    name: 'm',
    subgroups: subgroups as unknown as CreatePlan['subgroups'],
    totalCostPerHour: null,
    warnings: [],
    vms: subgroups.flatMap((s) => Array.from({ length: s.count }, (_, k) => ({ ...shape, spec, name: `${s.name}-${k + 1}`, subgroup: s.name }))),
    connections: ['c1'],
    onFailure: 'continue',
    parallelism: 20,
  };
}

function record(counts: Record<string, number>, labels: Record<string, string> = {}): Mcis {
  return {
    ns: 'default',
    name: 'm',
    labels,
    subgroups: Object.entries(counts).map(([name, count]) => ({ name, count, connection: 'c1', spec: 's1', image: 'ubuntu-22.04' })),
    policy: { onFailure: 'continue' },
    createdAt: '',
    updatedAt: '',
  };
}

function vm(name: string, extra: Partial<Vm> = {}): Vm {
  return { ...shape, name, subgroup: name.split('-')[0]!, status: 'Running', providerId: `i-${name}`, sshPort: 22, sshUser: 'ubuntu', createdAt: '', updatedAt: '', ...extra } as Vm;
}

const seeing = (...names: string[]): CloudView => ({ ...emptyCloudView(), seen: new Map(names.map((n) => [`i-${n}`, 'Running' as const])) });

describe('diffMcis', () => {
  it('finds nothing to do when the record, the clouds and the manifest agree', () => {
    expect(diffMcis(plan({ a: 2 }), record({ a: 2 }), [vm('a-1'), vm('a-2')], seeing('a-1', 'a-2'), { labels: {} })).toEqual([]);
  });

  it('names why: count raised or lowered, subgroup added or removed, spec changed, labels changed', () => {
    const changes = diffMcis(plan({ a: 1, b: 1 }, 's2'), record({ a: 2, c: 1 }), [vm('a-1'), vm('a-2'), vm('c-1')], seeing('a-1', 'a-2', 'c-1'), { labels: { tier: 'web' } });
    expect(changes.map((c) => [c.op, c.target, c.reason])).toEqual([
      ['replace', 'a-1', 'spec s1 → s2 (forces a new VM)'],
      ['create', 'b-1', 'subgroup b added'],
      ['destroy', 'a-2', 'count 2 → 1'],
      ['destroy', 'c-1', 'subgroup c removed'],
      ['update', 'm', 'labels {} → {tier=web}'],
    ]);
  });

  it('sees drift: a VM the cloud lost is replaced; an unknown tagged instance destroyed; an unreachable connection trusted', () => {
    const cloud: CloudView = { ...seeing('a-1'), orphans: [{ connection: 'c1', providerId: 'i-stray', status: 'Running' }] };
    const changes = diffMcis(plan({ a: 2 }), record({ a: 2 }), [vm('a-1'), vm('a-2')], cloud, { labels: {} });
    expect(changes.map((c) => [c.op, c.target, c.drift])).toEqual([
      ['replace', 'a-2', true],
      ['destroy', 'i-stray', true],
    ]);
    expect(diffMcis(plan({ a: 2 }), record({ a: 2 }), [vm('a-1'), vm('a-2')], { ...emptyCloudView(), unreachable: new Map([['c1', 'down']]) }, { labels: {} })).toEqual([]);
  });

  it('leaves registered machines alone and resumes an interrupted create as a create', () => {
    const vms = [vm('a-1'), vm('a-2', { status: 'Creating', providerId: undefined }), vm('ext-1', { origin: 'registered', subgroup: 'ext' })];
    expect(diffMcis(plan({ a: 2 }), record({ a: 2 }), vms, seeing('a-1'), { labels: {} }).map((c) => [c.op, c.target, c.reason])).toEqual([['create', 'a-2', 'an interrupted create']]);
  });
});

describe('driftOf', () => {
  it('reports VMs stopped outside cbadm and nothing when the clouds agree', () => {
    const cloud: CloudView = { ...emptyCloudView(), seen: new Map([['i-a-1', 'Suspended'], ['i-a-2', 'Running']]) };
    expect(driftOf([vm('a-1'), vm('a-2')], cloud).map((c) => [c.target, c.reason])).toEqual([['a-1', 'Suspended in the cloud, Running in the record']]);
    expect(driftOf([vm('a-1')], seeing('a-1'))).toEqual([]);
  });

  it('shows each firewall rule added or removed as an in-place update of kind firewall', () => {
    const rec = { ...record({ a: 1 }), firewall: [{ ports: '8080', from: ['subgroup:a'] }] };
    const changes = diffMcis(plan({ a: 1 }), rec, [vm('a-1')], seeing('a-1'), {
      labels: {},
      firewall: { firewall: [{ ports: '80,443', from: ['0.0.0.0/0'] }], subgroups: [{ name: 'a', firewall: [{ ports: '9000', protocol: 'udp', from: ['mcis'] }] }] },
    });
    expect(changes.map((c) => [c.op, c.kind, c.target, c.reason])).toEqual([
      ['update', 'firewall', 'firewall', 'rule added: tcp 80,443 from 0.0.0.0/0 (MCIS-wide)'],
      ['update', 'firewall', 'firewall', 'rule added: udp 9000 from mcis (subgroup a)'],
      ['update', 'firewall', 'firewall', 'rule removed: tcp 8080 from subgroup:a (MCIS-wide)'],
    ]);
    expect(diffMcis(plan({ a: 1 }), rec, [vm('a-1')], seeing('a-1'), { labels: {}, firewall: { firewall: rec.firewall, subgroups: rec.subgroups } })).toEqual([]);
  });
});

