import { describe, expect, it } from 'vitest';
import { parseMcisManifest } from '../orchestrator/mcis-manifest.js';

const doc = (subgroup: string) => `apiVersion: cloud-barista.io/v1alpha1
kind: MCIS
metadata: { name: web }
spec:
  subgroups:
    - ${subgroup}
`;

describe('manifest requirements', () => {
  it('accepts requirements instead of connection and spec', () => {
    const r = parseMcisManifest(doc('{ name: api, count: 2, image: ubuntu-22.04, requirements: { vcpu: 2, memory: 4, maxPrice: 0.1, providers: [aws, gcp], near: [Seoul, "35.68,139.77"], priority: "cost=0.7,location=0.3" } }'));
    expect(r.errors).toEqual([]);
    expect(r.value?.spec.subgroups[0]?.requirements?.near).toEqual(['Seoul', '35.68,139.77']);
  });

  it.each([
    ['{ name: a, count: 1, image: x, connection: c, spec: s, requirements: { vcpu: 2 } }', 'spec.subgroups[0].requirements', /either connection and spec or requirements, not both/],
    ['{ name: a, count: 1, image: x }', 'spec.subgroups[0]', /needs connection and spec, or requirements/],
    ['{ name: a, count: 1, image: x, connection: c }', 'spec.subgroups[0].spec', /is required with connection/],
    ['{ name: a, count: 1, image: x, requirements: { near: Atlantis } }', 'spec.subgroups[0].requirements.near', /'Atlantis' is not a city we know/],
    ['{ name: a, count: 1, image: x, requirements: { near: "91,0" } }', 'spec.subgroups[0].requirements.near', /latitude 91 is outside/],
    ['{ name: a, count: 1, image: x, requirements: { priority: "cheap" } }', 'spec.subgroups[0].requirements.priority', /unknown priority 'cheap'/],
    ['{ name: a, count: 1, image: x, requirements: { priority: location } }', 'spec.subgroups[0].requirements.priority', /needs near/],
    ['{ name: a, count: 1, image: x, requirements: { gpu: "$" } }', 'spec.subgroups[0].requirements.gpu', /neither a GPU count range nor a model/],
    ['{ name: a, count: 1, image: x, requirements: { vcpus: 2 } }', 'spec.subgroups[0].requirements', /unknown field 'vcpus': did you mean 'vcpu'\?/],
    ['{ name: a, count: 1, image: x, requirements: { providers: [ibm] } }', 'spec.subgroups[0].requirements.providers[0]', /./],
  ])('%s → %s', (sg, path, message) => {
    const r = parseMcisManifest(doc(sg));
    expect(r.value).toBeUndefined();
    const hit = r.errors.find((e) => e.path === path);
    expect(hit, JSON.stringify(r.errors)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });
});
