/**
 * The OpenStack driver against Cloud-Twin's Keystone, Nova, Neutron and Glance, authenticated with
 * a stored password credential: the shared driver contract, and a look through Neutron and Nova
 * for anything of ours left behind.
 */
import type { Tags } from '@cloud-barista/core';
import { buildOpenStackDriver } from '../src/openstack/index.js';
import { neutronTags } from '../src/openstack/network.js';
import { runContractOnTwin } from './contract.js';
import { bootTwin, openstackConnection, passwordCredential, rawOpenStack, type Twin } from './openstack-twin.js';

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

runContractOnTwin('openstack on Cloud-Twin', bootTwin, ({ twin }) => ({
  driver: buildOpenStackDriver({ connection: openstackConnection(twin, { name: 'contract' }), credentials: passwordCredential(twin) }, { pollIntervalMs: 100 }),
  // Nova keeps key pairs as resources, as EC2 does.
  keyPairResources: true,
  leftovers: (tags) => leftovers(twin, tags),
}));
