/**
 * The OpenStack driver's own checks against Cloud-Twin beyond the contract: a manifest root disk
 * larger than the flavor's boots from a volume made from the image (block_device_mapping_v2), one
 * that fits boots the image on the flavor's disk, and Nova's refusal of a volume below the image's
 * minimum comes back as a ProviderError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import type { CloudDriver, DefaultNetwork } from '@cloud-barista/core/driver/port';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { bootTwin, openstackConnection, passwordCredential, rawOpenStack, type Twin } from './openstack-twin.js';

const SSH_PORT = 2374;
let t: { twin: Twin; cleanup(): Promise<void> };
let driver: CloudDriver;
let net: DefaultNetwork;

beforeAll(async () => {
  t = await bootTwin(SSH_PORT);
  driver = buildOpenStackDriver({ connection: openstackConnection(t.twin, { name: 'os-int' }), credentials: passwordCredential(t.twin), maxAttempts: 1 }, { pollIntervalMs: 100 });
  net = await driver.network.ensureDefault({ name: 'cb-os-int', tags: { 'cb-managed': 'true' } });
});

afterAll(async () => {
  await t?.cleanup();
});

type Server = { image: string | { id: string }; 'os-extended-volumes:volumes_attached': { id: string; delete_on_termination?: boolean }[] };

describe('openstack driver on Cloud-Twin', () => {
  it('honours the root disk: boot from a volume when it is larger than the flavor disk, the image otherwise', async () => {
    const image = await driver.catalog.resolveImage('ubuntu-22.04');
    const req = { spec: 'm1.small', imageId: image.id, network: net, keyName: '', publicKey: '', sshUser: 'ubuntu', tags: { 'cb-managed': 'true' } };
    // m1.small's disk is 20 GB.
    const big = await driver.vms.create({ ...req, name: 'big', clientToken: 'tok-big', rootDiskGb: 50 });
    const small = await driver.vms.create({ ...req, name: 'small', clientToken: 'tok-small', rootDiskGb: 20 });
    const show = async (id: string) => (await rawOpenStack(t.twin, 'compute/v2.1', `/servers/${id}`)).server as unknown as Server;
    const b = await show(big.providerId);
    expect(b.image).toBe('');
    expect(b['os-extended-volumes:volumes_attached']).toHaveLength(1);
    const s = await show(small.providerId);
    expect(s.image).toMatchObject({ id: image.id });
    expect(s['os-extended-volumes:volumes_attached']).toEqual([]);
    // Below the image's minimum disk (3 GB): Nova's 400, with its words.
    const tiny = await driver.vms.create({ ...req, spec: 'm1.tiny', name: 'tiny', clientToken: 'tok-tiny', rootDiskGb: 2 }).catch((e: unknown) => e);
    expect(tiny).toBeInstanceOf(ProviderError);
    expect((tiny as ProviderError).message).toContain('Volume is smaller than the minimum size specified in image metadata');
    await driver.vms.terminate([big.providerId, small.providerId]);
  }, 60_000);
});
