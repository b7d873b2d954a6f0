/**
 * GPU specs from GCP and Azure through the drivers, against Cloud-Twin: GCE machine types with
 * built-in accelerators (A2, G2, A3) and Azure sizes whose GPUs only Resource SKUs reports, in the
 * regions that offer them, priced by each cloud's price API; and the official SDKs seeing the same
 * fields the real APIs have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudDriver, Spec } from '@cloud-barista/core';
import { ComputeManagementClient } from '@azure/arm-compute';
import { MachineTypesClient } from '@google-cloud/compute/build/src/v1/index.js';
import { AZURE_REGIONS, AZURE_VM_SIZES, GCP_MACHINE_TYPES, azurePrice, gcpOnDemandPrice } from '@cloud-barista/twin';
import { driverRegistry } from '../src/index.js';
import { azureConnection, CLIENT_SECRET, sdkClients } from './azure-twin.js';
import { bootTwin, credentialFor, gcpConnection, PROJECT, sdkOptions, twinKey, type Twin } from './gcp-twin.js';

let booted: Awaited<ReturnType<typeof bootTwin>>;
let twin: Twin;
let key: { json: string; privateKey: string };
const drivers: CloudDriver[] = [];

beforeAll(async () => {
  booted = await bootTwin(20_000 + Math.floor(Math.random() * 40_000));
  twin = booted.twin;
  Object.assign(CLIENT_SECRET, twin.credentials.azure);
  key = twinKey(twin);
});
afterAll(async () => {
  for (const d of drivers) d.close();
  await booted?.close();
});

async function gcpDriver(region: string, zone = `${region}-a`): Promise<CloudDriver> {
  const factory = await driverRegistry.load('gcp');
  const d = factory({ connection: gcpConnection(twin, { region, zone }), credentials: credentialFor(key.json) });
  drivers.push(d);
  return d;
}

async function azureDriver(region: string): Promise<CloudDriver> {
  const factory = await driverRegistry.load('azure');
  const d = factory({ connection: azureConnection(twin, { region }), credentials: CLIENT_SECRET });
  drivers.push(d);
  return d;
}

const gpuSpecs = (specs: Spec[]) => Object.fromEntries(specs.filter((s) => s.gpu).map((s) => [s.name, s.gpu]));

describe('GCP: machine types with built-in GPUs', () => {
  it('lists A2, G2 and A3 types with their accelerators as the GPU; the rest have none', async () => {
    const d = await gcpDriver('us-central1');
    const specs = await d.catalog.listSpecs();
    expect(gpuSpecs(specs)).toEqual({
      'a2-highgpu-1g': { model: 'NVIDIA A100', count: 1 },
      'a2-highgpu-2g': { model: 'NVIDIA A100', count: 2 },
      'a2-highgpu-4g': { model: 'NVIDIA A100', count: 4 },
      'a2-highgpu-8g': { model: 'NVIDIA A100', count: 8 },
      'a2-ultragpu-1g': { model: 'NVIDIA A100 80GB', count: 1, memoryGiB: 80 },
      'a3-highgpu-8g': { model: 'NVIDIA H100 80GB', count: 8, memoryGiB: 80 },
      'g2-standard-24': { model: 'NVIDIA L4', count: 2 },
      'g2-standard-4': { model: 'NVIDIA L4', count: 1 },
      'g2-standard-8': { model: 'NVIDIA L4', count: 1 },
    });
    expect(specs.find((s) => s.name === 'g2-standard-4')).toEqual({ name: 'g2-standard-4', vcpu: 4, memoryGiB: 16, arch: 'x86_64', gpu: { model: 'NVIDIA L4', count: 1 } });
    expect(specs.find((s) => s.name === 'e2-standard-2')?.gpu).toBeUndefined();
  });

  it('offers GPU types only in their regions: Seoul has A2 and G2, Taiwan none', async () => {
    const seoul = gpuSpecs(await (await gcpDriver('asia-northeast3')).catalog.listSpecs());
    expect(Object.keys(seoul).sort()).toEqual(['a2-highgpu-1g', 'a2-highgpu-2g', 'a2-highgpu-4g', 'a2-highgpu-8g', 'g2-standard-24', 'g2-standard-4', 'g2-standard-8']);
    expect(gpuSpecs(await (await gcpDriver('asia-east1')).catalog.listSpecs())).toEqual({});
  });

  it('prices GPU types from the family SKUs plus each GPU’s SKU (Cloud Billing Catalog)', async () => {
    for (const region of ['us-central1', 'asia-northeast3']) {
      const d = await gcpDriver(region);
      const [specs, out] = await Promise.all([d.catalog.listSpecs(), d.catalog.listPrices!()]);
      for (const s of specs.filter((x) => x.gpu)) {
        const p = out.prices.find((x) => x.spec === s.name);
        expect(p?.pricePerHour, `${s.name} in ${region}`).toBeCloseTo(gcpOnDemandPrice(s.name, region)!, 4);
      }
    }
  });

  it('the official SDK sees `accelerators` on GPU machine types and no such field elsewhere', async () => {
    const client = new MachineTypesClient({ ...sdkOptions(twin, key.json) });
    try {
      const [a2] = await client.get({ project: PROJECT, zone: 'us-central1-a', machineType: 'a2-highgpu-2g' });
      expect(a2.accelerators?.map((a) => [a.guestAcceleratorType, a.guestAcceleratorCount])).toEqual([['nvidia-tesla-a100', 2]]);
      expect(a2).toMatchObject({ guestCpus: 24, memoryMb: 174080, isSharedCpu: false });
      const [e2] = await client.get({ project: PROJECT, zone: 'us-central1-a', machineType: 'e2-standard-2' });
      expect(e2.accelerators ?? []).toEqual([]);
      await expect(client.get({ project: PROJECT, zone: 'asia-east1-a', machineType: 'a2-highgpu-1g' })).rejects.toThrow(/not found/i);
      const want = GCP_MACHINE_TYPES.filter((m) => m.accelerators && (!m.regions || m.regions.includes('us-central1'))).length;
      const [all] = await client.list({ project: PROJECT, zone: 'us-central1-a', filter: 'name = a2-*' });
      expect(all.length).toBe(want - 4); // the G2 and A3 types are not a2-*
    } finally {
      await client.close();
    }
  });
});

describe('Azure: GPU sizes from Resource SKUs', () => {
  it('lists NCasT4_v3, NC A100 v4 and NCv3 sizes with GPU model and count; vmSizes and skus are both asked', async () => {
    const before = booted.requests.length;
    const d = await azureDriver('koreacentral');
    const specs = await d.catalog.listSpecs();
    expect(gpuSpecs(specs)).toEqual({
      Standard_NC12s_v3: { model: 'NVIDIA V100', count: 2 },
      Standard_NC16as_T4_v3: { model: 'NVIDIA T4', count: 1 },
      Standard_NC24ads_A100_v4: { model: 'NVIDIA A100', count: 1 },
      Standard_NC48ads_A100_v4: { model: 'NVIDIA A100', count: 2 },
      Standard_NC4as_T4_v3: { model: 'NVIDIA T4', count: 1 },
      Standard_NC64as_T4_v3: { model: 'NVIDIA T4', count: 4 },
      Standard_NC6s_v3: { model: 'NVIDIA V100', count: 1 },
      Standard_NC8as_T4_v3: { model: 'NVIDIA T4', count: 1 },
      Standard_NC96ads_A100_v4: { model: 'NVIDIA A100', count: 4 },
    });
    expect(specs.find((s) => s.name === 'Standard_NC4as_T4_v3')).toEqual({ name: 'Standard_NC4as_T4_v3', vcpu: 4, memoryGiB: 28, arch: 'x86_64', gpu: { model: 'NVIDIA T4', count: 1 } });
    expect(specs.find((s) => s.name === 'Standard_D2ps_v5')).toMatchObject({ arch: 'arm64' });
    expect(specs.find((s) => s.name === 'Standard_B1s')?.gpu).toBeUndefined();
    const actions = booted.requests.slice(before).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['VirtualMachineSizes_List', 'ResourceSkus_List']));
  });

  it('a region without GPU sizes lists none; ND A100 v4 where it is offered', async () => {
    expect(gpuSpecs(await (await azureDriver('koreasouth')).catalog.listSpecs())).toEqual({});
    const eastus = gpuSpecs(await (await azureDriver('eastus')).catalog.listSpecs());
    expect(eastus.Standard_ND96asr_v4).toEqual({ model: 'NVIDIA A100', count: 8 });
  });

  it('prices GPU sizes from the Retail Prices API like any other', async () => {
    const region = AZURE_REGIONS.find((r) => r.name === 'koreacentral')!;
    const out = await (await azureDriver('koreacentral')).catalog.listPrices!();
    for (const name of ['Standard_NC4as_T4_v3', 'Standard_NC24ads_A100_v4']) {
      const size = AZURE_VM_SIZES.find((s) => s.name === name)!;
      expect(out.prices.find((p) => p.spec === name)?.pricePerHour, name).toBe(azurePrice(size, region));
    }
  });

  it('the official SDK lists Resource SKUs per location in ARM’s shape, filtered by location only', async () => {
    const sdk = sdkClients(twin);
    try {
      const compute: ComputeManagementClient = sdk.compute;
      const skus = [];
      for await (const s of compute.resourceSkus.list({ filter: "location eq 'koreacentral'" })) skus.push(s);
      expect(new Set(skus.map((s) => s.resourceType))).toEqual(new Set(['virtualMachines', 'disks', 'availabilitySets']));
      expect(skus.every((s) => s.locations?.length === 1 && s.locations[0] === 'koreacentral')).toBe(true);
      const t4 = skus.find((s) => s.name === 'Standard_NC64as_T4_v3');
      expect(t4).toMatchObject({ tier: 'Standard', size: 'NC64as_T4_v3', family: 'standardNCASv3_T4Family', restrictions: [] });
      expect(t4?.locationInfo?.[0]).toMatchObject({ location: 'koreacentral', zones: ['1', '2', '3'] });
      const caps = Object.fromEntries((t4?.capabilities ?? []).map((c): [string, string] => [c.name ?? '', c.value ?? '']));
      expect(caps).toMatchObject({ vCPUs: '64', MemoryGB: '440', GPUs: '4', CpuArchitectureType: 'x64' });
      const b1s = skus.find((s) => s.name === 'Standard_B1s');
      expect(b1s?.capabilities?.some((c) => c.name === 'GPUs')).toBe(false);
      expect(b1s?.family).toBe('standardBSFamily');
      // Every size vmSizes lists is there, and nothing vmSizes does not list.
      const sizes = [];
      for await (const s of compute.virtualMachineSizes.list('koreacentral')) sizes.push(s.name);
      expect(skus.filter((s) => s.resourceType === 'virtualMachines').map((s) => s.name).sort()).toEqual(sizes.sort());
      // Unfiltered: every region; a filter ARM does not support is refused.
      let everywhere = 0;
      for await (const s of compute.resourceSkus.list()) if (s.name === 'Standard_B1s') everywhere++;
      expect(everywhere).toBe(AZURE_REGIONS.length);
      const bad = (async () => {
        for await (const s of compute.resourceSkus.list({ filter: "name eq 'Standard_B1s'" })) void s;
      })();
      await expect(bad).rejects.toMatchObject({ statusCode: 400, code: 'InvalidFilterInQueryString' });
    } finally {
      sdk.close();
    }
  });
});
