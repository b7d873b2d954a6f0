/** GPU models from what GCE and ARM expose: accelerator type names, Azure size names and families. */
import { describe, expect, it } from 'vitest';
import { gpuModelOf, sizeFacts } from '../src/azure/gpus.js';
import { gpuModel, gpuOf } from '../src/gcp/catalog.js';

describe('GCP accelerators', () => {
  it('names the model as EC2 does (manufacturer and name), memory only where the type name says it', () => {
    expect(gpuModel('nvidia-tesla-t4')).toBe('NVIDIA T4');
    expect(gpuModel('nvidia-tesla-a100')).toBe('NVIDIA A100');
    expect(gpuModel('nvidia-a100-80gb')).toBe('NVIDIA A100 80GB');
    expect(gpuModel('nvidia-l4')).toBe('NVIDIA L4');
    expect(gpuModel('nvidia-h100-mega-80gb')).toBe('NVIDIA H100 MEGA 80GB');
    expect(gpuOf([{ guestAcceleratorType: 'nvidia-h100-80gb', guestAcceleratorCount: 8 }])).toEqual({ model: 'NVIDIA H100 80GB', count: 8, memoryGiB: 80 });
    expect(gpuOf([{ guestAcceleratorType: 'nvidia-l4', guestAcceleratorCount: 2 }])).toEqual({ model: 'NVIDIA L4', count: 2 });
    expect(gpuOf(undefined)).toBeUndefined();
    expect(gpuOf([])).toBeUndefined();
    expect(gpuOf([{ guestAcceleratorType: 'nvidia-l4', guestAcceleratorCount: 0 }])).toBeUndefined();
  });
});

describe('Azure GPU sizes', () => {
  it('takes the model from the size name, else from the family', () => {
    expect(gpuModelOf('Standard_NC4as_T4_v3', 'standardNCASv3_T4Family')).toBe('NVIDIA T4');
    expect(gpuModelOf('Standard_NC24ads_A100_v4', 'StandardNCADSA100v4Family')).toBe('NVIDIA A100');
    expect(gpuModelOf('Standard_ND96asr_v4', 'standardNDASv4_A100Family')).toBe('NVIDIA A100');
    expect(gpuModelOf('Standard_NV36ads_A10_v5', 'StandardNVADSA10v5Family')).toBe('NVIDIA A10');
    expect(gpuModelOf('Standard_NC6s_v3', 'standardNCSv3Family')).toBe('NVIDIA V100');
    expect(gpuModelOf('Standard_NC40ads_H100_v5', 'standardNCadsH100v5Family')).toBe('NVIDIA H100');
    expect(gpuModelOf('Standard_D2s_v5', 'standardDSv5Family')).toBeUndefined();
  });

  it('reads GPUs and the CPU architecture of VM SKUs only; an unknown GPU keeps its family name', () => {
    const facts = sizeFacts([
      { resourceType: 'disks', name: 'Premium_LRS', capabilities: [{ name: 'GPUs', value: '1' }] },
      { resourceType: 'virtualMachines', name: 'Standard_NC64as_T4_v3', family: 'standardNCASv3_T4Family', capabilities: [{ name: 'GPUs', value: '4' }, { name: 'CpuArchitectureType', value: 'x64' }] },
      { resourceType: 'virtualMachines', name: 'Standard_D2ps_v5', family: 'standardDPSv5Family', capabilities: [{ name: 'CpuArchitectureType', value: 'Arm64' }] },
      { resourceType: 'virtualMachines', name: 'Standard_NX1_v9', family: 'standardNXv9Family', capabilities: [{ name: 'GPUs', value: '1' }] },
    ]);
    expect(facts.has('premium_lrs')).toBe(false);
    expect(facts.get('standard_nc64as_t4_v3')).toEqual({ gpu: { model: 'NVIDIA T4', count: 4 }, arch: 'x86_64' });
    expect(facts.get('standard_d2ps_v5')).toEqual({ arch: 'arm64' });
    expect(facts.get('standard_nx1_v9')).toEqual({ gpu: { model: 'standardNXv9Family', count: 1 } });
  });
});
