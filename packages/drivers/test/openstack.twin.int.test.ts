/**
 * The OpenStack driver's own checks against Cloud-Twin beyond the contract: a manifest root disk
 * larger than the flavor's boots from a volume made from the image (block_device_mapping_v2), one
 * that fits boots the image on the flavor's disk, and Nova's refusal of a volume below the image's
 * minimum comes back as a ProviderError; `connection test`'s checks (the token's roles, one read per
 * service by its policy rule) see what `twin iam` takes away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import type { CloudDriver, DefaultNetwork } from '@cloud-barista/core/driver/port';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { bootTwin, openstackConnection, passwordCredential, rawOpenStack, type Twin } from './openstack-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
let t: { twin: Twin; cleanup(): Promise<void> };
let driver: CloudDriver;
const fresh = () => buildOpenStackDriver({ connection: openstackConnection(t.twin, { name: 'os-int' }), credentials: passwordCredential(t.twin), maxAttempts: 1 }, { pollIntervalMs: 100 });
let net: DefaultNetwork;

beforeAll(async () => {
  t = await bootTwin(SSH_PORT);
  driver = fresh();
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

  it('checks permissions: the member role and one read per service; twin iam denials are named', async () => {
    const all = await fresh().checkPermissions!();
    expect(all.map((c) => [c.permission, c.status])).toEqual([
      ['role:member', 'allowed'],
      ['os_compute_api:servers:index', 'allowed'],
      ['os_compute_api:os-keypairs:index', 'allowed'],
      ['os_compute_api:flavors:index', 'allowed'],
      ['get_network', 'allowed'],
      ['get_security_group', 'allowed'],
      ['get_floatingip', 'allowed'],
      ['get_images', 'allowed'],
    ]);
    t.twin.faults.iam.set(['get_images', 'role:member']);
    try {
      const denied = (await fresh().checkPermissions!()).filter((c) => c.status !== 'allowed');
      expect(denied.map((c) => [c.permission, c.status])).toEqual([
        ['role:member', 'denied'],
        ['get_images', 'denied'],
      ]);
      expect(denied[0]?.why).toMatch(/roles on project \w+: reader; ask for the member role/);
      expect(denied[1]?.why).toContain('get_images');
      // Without member, Nova refuses a create as its default policy does.
      const refused = await fresh().keys.ensureKeyPair({ name: 'k', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxOeLMmI4yHfH0w1n7x7eG0r3S1bFpH4Nn6VdT4xkGq cb', tags: {} }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ errorClass: 'auth', httpStatus: 403 });
    } finally {
      t.twin.faults.iam.set([]);
    }
  });
});
