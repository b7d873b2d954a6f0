import { describe, expect, it } from 'vitest';
import type { CatalogApi, NetworkApi, VmApi } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { assembleDriver } from '../src/common/driver.js';
import { keysWithEachVm } from '../src/common/keys.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxOeLMmI4yHfH0w1n7x7eG0r3S1bFpH4Nn6VdT4xkGq cb';

describe('assembleDriver', () => {
  const ctx = { name: 'ctx' };
  const seen: unknown[] = [];
  const part = <T>(value: T) => (c: typeof ctx): T => {
    seen.push(c);
    return value;
  };
  const catalog = { listRegions: () => Promise.resolve([]) } as unknown as CatalogApi;
  const network = { ensureDefault: () => Promise.reject(new Error('not here')) } as unknown as NetworkApi;
  const ingress = { allowIngress: () => Promise.resolve(), revokeIngress: () => Promise.resolve() };
  const vms = { describe: () => Promise.resolve([]) } as unknown as VmApi;

  it('builds every part from the context, merges the ingress half into the network, and passes the catalog to the permission check', async () => {
    const driver = assembleDriver(ctx, {
      provider: 'aws',
      capabilities: { unsupported: {}, suspendMethod: 'stop', idempotentCreate: true },
      parts: { catalog: part(catalog), network: [part(network), part(ingress)], vms: part(vms) },
      ping: () => Promise.resolve({ region: 'r', latencyMs: 1 }),
      checkPermissions: (c) => Promise.resolve([{ permission: c === catalog ? 'same-catalog' : 'other', neededFor: 'x', status: 'allowed' }]),
    });
    expect(seen).toEqual([ctx, ctx, ctx, ctx]);
    expect(driver.catalog).toBe(catalog);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- identity, not a call
    expect([driver.network.ensureDefault, driver.network.allowIngress]).toEqual([network.ensureDefault, ingress.allowIngress]);
    expect(driver.firewall).toBeUndefined();
    expect((await driver.checkPermissions!())[0]!.permission).toBe('same-catalog');
    expect(() => driver.close()).not.toThrow();
    // No keys part: the key travels with each VM.
    expect(await driver.keys.hasKeyPair('k')).toBe(false);
  });

  it('leaves checkPermissions out when the cloud cannot ask', () => {
    const driver = assembleDriver(ctx, {
      provider: 'docker',
      capabilities: { unsupported: {}, suspendMethod: 'stop', idempotentCreate: true },
      parts: { catalog: part(catalog), network: part(network), vms: part(vms) },
      ping: () => Promise.resolve({ region: 'r', latencyMs: 1 }),
    });
    expect('checkPermissions' in driver).toBe(false);
  });
});

describe('keysWithEachVm', () => {
  it('hands the name back for an OpenSSH public key and refuses anything else, naming the key', async () => {
    const keys = keysWithEachVm();
    expect(await keys.ensureKeyPair({ name: 'k', publicKey: KEY, tags: {} })).toEqual({ keyName: 'k' });
    const bad = await keys.ensureKeyPair({ name: 'k2', publicKey: '-----BEGIN OPENSSH PRIVATE KEY-----', tags: {} }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UsageError);
    expect((bad as Error).message).toContain("key pair 'k2'");
  });
});
