/**
 * On one twin (VMs boot in 200 ms), two end-to-end walks through the built cbadm:
 * - The examples/ folder is part of the product: the quick-start manifest and the CI-style script
 *   run here, before any catalog is gathered, as a new user meets them.
 * - GPU specs on GCP and Azure: the catalog gathered from Cloud-Twin's GCE (machine types with
 *   `accelerators`) and ARM (Resource SKUs' `GPUs`), priced through the twin's Cloud Billing Catalog
 *   and Retail Prices APIs; `spec list --gpu` and `recommend --gpu` then find GCP and Azure
 *   candidates, and a manifest's `requirements.gpu` places on them.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CBADM, Cli, REPO } from './harness.js';
import type { RankedRow, SpecRow } from './catalog-rows.js';

const cli = new Cli();

const specList = async (...args: string[]) => (await cli.json<{ specs: SpecRow[] }>(['spec', 'list', ...args])).specs;
const providers = (specs: Array<{ provider: string }>) => [...new Set(specs.map((s) => s.provider))].sort();

beforeAll(async () => {
  await cli.twinUp('200ms');
});
afterAll(() => cli.dispose());

describe('examples', () => {
  it('the quick-start manifest validates and plans 14 VMs on all seven kinds of infrastructure', async () => {
    const r = await cli.json<{ plan: { vms: Array<{ region: string; provider: string }> } }>(['mcis', 'create', '-f', join(REPO, 'examples/quickstart.yaml'), '--dry-run']);
    expect(r.plan.vms).toHaveLength(14);
    expect([...new Set(r.plan.vms.map((v) => v.provider))].sort()).toEqual(['alibaba', 'aws', 'azure', 'cloudit', 'docker', 'gcp', 'openstack']);
  });

  it('examples/mcis-lifecycle.sh drives an MCIS through --json to the end', () => {
    const r = spawnSync('bash', [join(REPO, 'examples/mcis-lifecycle.sh'), join(REPO, 'examples/quickstart.yaml')], {
      env: { ...cli.env, CBADM: `${process.execPath} ${CBADM}` },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.stderr + r.stdout).toMatch(/done/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/status: Running:14 \(R:14\/14\)/);
    expect(r.stdout).toMatch(/exec failures: 0/);
    expect(r.stdout).toMatch(/Suspended:14 \(R:0\/14\)/);
  });
});

describe('GPU specs', () => {
  // After the examples: they run as a new user meets them, with no catalog gathered yet.
  beforeAll(async () => {
    for (const driver of ['aws', 'gcp', 'azure']) {
      const r = await cli.json<{ updated: Array<{ connection: string; priced: number; specs: number }> }>(['catalog', 'update', '--driver', driver]);
      expect(r.updated.length).toBeGreaterThanOrEqual(10);
      // Every spec priced, the GPU ones included.
      for (const u of r.updated) expect(u.priced, u.connection).toBe(u.specs);
    }
  }, 300_000);

  describe('spec list --gpu', () => {
    it('a100 finds AWS P4d, GCP A2 types and Azure NC/ND A100 sizes, priced, with model and count', async () => {
      const specs = await specList('--gpu', 'a100');
      expect(providers(specs)).toEqual(['aws', 'azure', 'gcp']);
      expect(specs.find((s) => s.provider === 'aws' && s.region === 'us-east-1' && s.name === 'p4d.24xlarge')).toMatchObject({ vcpu: 96, memoryGiB: 1152, gpu: { model: 'NVIDIA A100', count: 8, memoryGiB: 40 } });
      expect(specs.every((s) => /A100/.test(s.gpu?.model ?? '') && s.gpu!.count >= 1 && s.pricePerHour! > 0)).toBe(true);
      expect(specs.find((s) => s.provider === 'gcp' && s.region === 'us-central1' && s.name === 'a2-highgpu-2g')).toMatchObject({ vcpu: 24, memoryGiB: 170, gpu: { model: 'NVIDIA A100', count: 2 } });
      expect(specs.find((s) => s.provider === 'azure' && s.region === 'koreacentral' && s.name === 'Standard_NC24ads_A100_v4')).toMatchObject({ vcpu: 24, memoryGiB: 220, gpu: { model: 'NVIDIA A100', count: 1 } });
      expect(specs.find((s) => s.provider === 'gcp' && s.region === 'asia-east1')).toBeUndefined(); // no GPU types there
    });

    it('a count range and a model with a count: 8 GPUs on three clouds, 4+ T4 on AWS and Azure', async () => {
      const eight = await specList('--gpu', '8..');
      expect(providers(eight)).toEqual(['aws', 'azure', 'gcp']);
      expect(new Set(eight.map((s) => s.name))).toEqual(new Set(['p4d.24xlarge', 'a2-highgpu-8g', 'a3-highgpu-8g', 'Standard_ND96asr_v4']));
      const t4 = await specList('--gpu', 't4:4..');
      expect(new Set(t4.map((s) => s.name))).toEqual(new Set(['g4dn.12xlarge', 'Standard_NC64as_T4_v3']));
      // GCP has T4s only as N1 attachments, which are not specs; L4 is a G2 type.
      expect(providers(await specList('--gpu', 't4'))).toEqual(['aws', 'azure']);
      expect(providers(await specList('--gpu', 'l4', '--region', 'asia-northeast3'))).toEqual(['gcp']);
    });

    it('none leaves GPU sizes out; the table names the GPU', async () => {
      const plain = await specList('--gpu', 'none', '--provider', 'gcp,azure', '--region', 'us-central1,koreacentral');
      expect(plain.length).toBeGreaterThan(10);
      expect(plain.some((s) => s.gpu)).toBe(false);
      const table = await cli.run(['spec', 'list', '--gpu', 'l4:2', '--region', 'us-central1']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/g2-standard-24 .*2× NVIDIA L4/);
    });
  });

  describe('recommend and requirements with a GPU', () => {
    it('recommend --gpu a100 ranks AWS, GCP and Azure candidates, cheapest first by cost', async () => {
      const r = await cli.json<{ candidates: RankedRow[] }>(['recommend', '--gpu', 'a100', '--priority', 'cost', '--limit', '200']);
      expect(providers(r.candidates)).toEqual(['aws', 'azure', 'gcp']);
      expect(r.candidates.every((c) => /A100/.test(c.gpu?.model ?? '') && c.pricePerHour! > 0 && c.connection)).toBe(true);
      const prices = r.candidates.map((c) => c.pricePerHour!);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
    });

    it('a manifest subgroup with requirements.gpu near Seoul is planned on a GPU spec of GCP or Azure', async () => {
      const m = join(cli.home, 'gpu.yaml');
      writeFileSync(
        m,
        ['apiVersion: cloud-barista.io/v1alpha1', 'kind: MCIS', 'metadata: { name: train }', 'spec:', '  subgroups:', '    - { name: train, count: 1, image: ubuntu-22.04, requirements: { gpu: "t4", near: Seoul, priority: location, providers: [gcp, azure] } }', ''].join('\n'),
      );
      const r = await cli.json<{ plan: { subgroups: Array<{ connection: string; region: string; spec: string; pricePerHour: number | null; placedBy: string }> } }>(['mcis', 'create', '-f', m, '--dry-run']);
      expect(r.plan.subgroups[0]).toMatchObject({ connection: 'twin-azure-koreacentral', region: 'koreacentral', placedBy: 'requirements' });
      expect(r.plan.subgroups[0]!.spec).toMatch(/^Standard_NC\d+as_T4_v3$/);
      expect(r.plan.subgroups[0]!.pricePerHour).toBeGreaterThan(0);
    });
  });
});
