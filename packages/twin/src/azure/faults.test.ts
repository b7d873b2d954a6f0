import { describe, expect, it } from 'vitest';
import { Faults, parseFaultSpec } from '../faults.js';

describe('fault rules for Azure ARM', () => {
  it('names ARM operation ids and Azure regions; EC2 syntax keeps its meaning', () => {
    expect(parseFaultSpec('azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:1@koreacentral#2')).toEqual({
      provider: 'azure',
      action: 'VirtualMachines_CreateOrUpdate',
      code: 'SkuNotAvailable',
      rate: 1,
      region: 'koreacentral',
      count: 2,
    });
    expect(() => parseFaultSpec('azure:RunInstances:Foo:1')).toThrow(/ARM operation id/);
    expect(() => parseFaultSpec('azure:*:TooManyRequests:1@us-east-1')).toThrow(/unknown region 'us-east-1'/);
    expect(parseFaultSpec('RunInstances:InsufficientInstanceCapacity:0.3')).toEqual({ action: 'RunInstances', code: 'InsufficientInstanceCapacity', rate: 0.3 });
  });

  it('matches only Azure requests', () => {
    const faults = new Faults(['azure:*:TooManyRequests:1@eastus', '*:RequestLimitExceeded:1']);
    expect(faults.decide('VirtualMachines_Get', 'eastus', 'azure').code).toBe('TooManyRequests');
    expect(faults.decide('VirtualMachines_Get', 'westus2', 'azure').code).toBeUndefined();
    expect(faults.decide('DescribeVpcs', 'us-east-1').code).toBe('RequestLimitExceeded');
    faults.setOutage('koreacentral', true);
    expect(faults.outages()).toEqual(['koreacentral']);
  });
});
