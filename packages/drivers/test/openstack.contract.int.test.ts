/**
 * The OpenStack driver against Cloud-Twin's Keystone, Nova, Neutron and Glance, authenticated with
 * a stored password credential: the shared driver contract, and a look through Neutron and Nova
 * for anything of ours left behind.
 */
import type { Tags } from '@cloud-barista/core';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { neutronTags } from '../src/openstack/network.js';
import { runDriverContract } from './contract.js';
import { bootTwin, openstackConnection, passwordCredential, rawOpenStack, type Twin } from './openstack-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();

async function leftovers(twin: Twin, tags: Tags): Promise<string[]> {
  const t = neutronTags(tags).join(',');
  const out: string[] = [];
  for (const kind of ['networks', 'subnets', 'routers', 'security-groups']) {
    const r = await rawOpenStack(twin, 'network/v2.0', `/${kind}?tags=${encodeURIComponent(t)}`);
    out.push(...(Object.values(r)[0] as { id: string }[]).map((x) => `${kind}/${x.id}`));
  }
  const fips = await rawOpenStack(twin, 'network/v2.0', '/floatingips');
  out.push(...(fips.floatingips as { id: string }[]).map((f) => `floatingips/${f.id}`));
  const keys = await rawOpenStack(twin, 'compute/v2.1', '/os-keypairs');
  out.push(...(keys.keypairs as { keypair: { name: string } }[]).map((k) => `keypairs/${k.keypair.name}`));
  return out;
}

runDriverContract('openstack on Cloud-Twin', async () => {
  const t = await bootTwin(SSH_PORT);
  return {
    driver: buildOpenStackDriver({ connection: openstackConnection(t.twin, { name: 'contract' }), credentials: passwordCredential(t.twin) }, { pollIntervalMs: 100 }),
    sshPort: t.twin.sshPort,
    // Nova keeps key pairs as resources, as EC2 does.
    keyPairResources: true,
    maxWaitMs: 30_000,
    leftovers: (tags) => leftovers(t.twin, tags),
    cleanup: () => t.cleanup(),
  };
});
