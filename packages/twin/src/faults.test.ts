import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { Faults, parseFaultSpec, validateFaultRule } from './faults.js';

describe('parseFaultSpec', () => {
  it('reads action, code and rate', () => {
    expect(parseFaultSpec('RunInstances:InsufficientInstanceCapacity:0.3')).toEqual({
      action: 'RunInstances',
      code: 'InsufficientInstanceCapacity',
      rate: 0.3,
    });
  });

  it('reads latency, region and count', () => {
    expect(parseFaultSpec('*:RequestLimitExceeded:1:250ms@ap-northeast-2#3')).toEqual({
      action: '*',
      code: 'RequestLimitExceeded',
      rate: 1,
      latencyMs: 250,
      region: 'ap-northeast-2',
      count: 3,
    });
    expect(parseFaultSpec('DescribeInstances:-:0.5:2s')).toEqual({ action: 'DescribeInstances', code: '', rate: 0.5, latencyMs: 2000 });
  });

  it.each([
    ['RunInstances:Foo', /expected ACTION:CODE:RATE/],
    ['RunInstances:Foo:x', /rate 'x' is not a number/],
    ['RunInstances:Foo:1.5', /rate must be in 0\.\.1/],
    ['runInstances:Foo:1', /EC2 action name/],
    ['RunInstances:Foo:1@mars-east-1', /unknown region 'mars-east-1'/],
    ['RunInstances:-:1', /needs a code, a latency, or both/],
    ['RunInstances:Foo:1#0', /count must be an integer >= 1/],
    ['RunInstances:Foo:1:soon', /not a duration/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  it('validates JSON rules the same way', () => {
    expect(validateFaultRule({ action: 'StopInstances', code: 'UnauthorizedOperation', rate: 1 })).toEqual({
      action: 'StopInstances',
      code: 'UnauthorizedOperation',
      rate: 1,
    });
    expect(() => validateFaultRule({ action: 'X', code: 'Y', rate: -1 })).toThrow(/rate/);
    expect(() => validateFaultRule(42)).toThrow(/object or a spec string/);
  });
});

describe('Faults', () => {
  it('hits by rate with the injected random source', () => {
    const rolls = [0.1, 0.9];
    const faults = new Faults([{ action: 'RunInstances', code: 'InsufficientInstanceCapacity', rate: 0.5 }], () => rolls.shift() ?? 0);
    expect(faults.decide('RunInstances', 'us-east-1')).toEqual({ latencyMs: 0, code: 'InsufficientInstanceCapacity' });
    expect(faults.decide('RunInstances', 'us-east-1')).toEqual({ latencyMs: 0 });
    expect(faults.decide('DescribeInstances', 'us-east-1')).toEqual({ latencyMs: 0 });
  });

  it('matches region and spends counted rules', () => {
    const faults = new Faults(['*:RequestLimitExceeded:1@eu-west-1#2', 'DescribeVpcs:-:1:40ms']);
    expect(faults.decide('DescribeVpcs', 'us-east-1')).toEqual({ latencyMs: 40 });
    expect(faults.decide('DescribeVpcs', 'eu-west-1')).toEqual({ latencyMs: 40, code: 'RequestLimitExceeded' });
    expect(faults.decide('CreateVpc', 'eu-west-1').code).toBe('RequestLimitExceeded');
    expect(faults.decide('CreateVpc', 'eu-west-1').code).toBeUndefined();
    expect(faults.list()[0]?.count).toBe(0);
  });

  it('keeps outages per region', () => {
    const faults = new Faults();
    faults.setOutage('sa-east-1', true);
    faults.setOutage('us-east-1', true);
    faults.setOutage('us-east-1', false);
    expect(faults.outages()).toEqual(['sa-east-1']);
    expect(faults.isDown('sa-east-1')).toBe(true);
    expect(() => faults.setOutage('nowhere-1', true)).toThrow(/unknown region/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['250', 250],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('rejects other text', () => {
    expect(() => parseDuration('2 seconds')).toThrow(/not a duration/);
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
  });
});

describe('faults for other providers', () => {
  it('reads a provider prefix; rules without one stay EC2 rules', () => {
    expect(parseFaultSpec('gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:1@asia-northeast3-a#1')).toEqual({
      provider: 'gcp',
      action: 'instances.insert',
      code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
      rate: 1,
      region: 'asia-northeast3-a',
      count: 1,
    });
    expect(parseFaultSpec('gcp:*:rateLimitExceeded:0.5:1s')).toEqual({ provider: 'gcp', action: '*', code: 'rateLimitExceeded', rate: 0.5, latencyMs: 1000 });
    expect(() => parseFaultSpec('gcp:RunInstances:Foo:1')).toThrow(/GCE method name/);
    expect(() => parseFaultSpec('gcp:instances.insert:Foo:1@us-east-1')).toThrow(/unknown region 'us-east-1'/);
    expect(() => validateFaultRule({ provider: 'mars', action: '*', code: 'X' })).toThrow(/fault.provider/);
  });

  it('matches only its provider, by region or zone', () => {
    const faults = new Faults(['gcp:*:rateLimitExceeded:1@us-central1', '*:RequestLimitExceeded:1', 'gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:1@us-east1-b']);
    expect(faults.decide('instances.get', 'us-central1', 'gcp', 'us-central1-a').code).toBe('rateLimitExceeded');
    expect(faults.decide('instances.get', 'us-east1', 'gcp', 'us-east1-b').code).toBeUndefined();
    expect(faults.decide('instances.insert', 'us-east1', 'gcp', 'us-east1-b').code).toBe('ZONE_RESOURCE_POOL_EXHAUSTED');
    expect(faults.decide('DescribeVpcs', 'us-east-1').code).toBe('RequestLimitExceeded');
  });

  it('takes outages for any provider region', () => {
    const faults = new Faults();
    faults.setOutage('asia-northeast3', true);
    expect(faults.isDown('asia-northeast3')).toBe(true);
  });
});
