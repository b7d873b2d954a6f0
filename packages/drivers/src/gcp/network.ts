/**
 * The per-connection default network: a custom-mode VPC network, one regional subnetwork, and an
 * ingress firewall rule allowing tcp:22 on that network (GCE firewalls belong to a network and a
 * direction; there are no per-instance security groups). Names derive from the request's name, so
 * a second call, or a run after an interrupted one, finds and adopts each piece. These resources
 * take no labels: their descriptions carry the tags.
 */
import type { DefaultNetwork, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import type { GcpContext } from './context.js';
import { hasCode, isNotFound } from './errors.js';
import { describeWithTags } from './labels.js';
import { isClusterFirewall } from './firewall.js';
import { gceName } from './names.js';
import { operationOf, waitOperation } from './operations.js';
import { gone, whileInUse } from './retry.js';

export const SUBNET_CIDR = '10.0.1.0/24';
const SSH_PORT = '22';

export function networkNames(name: string): { network: string; subnetwork: string; firewall: string } {
  return { network: gceName(name), subnetwork: gceName(name, '-subnet'), firewall: gceName(name, '-allow-ssh') };
}

const isAlreadyExists = (e: unknown) => hasCode(e, 'alreadyExists', 'RESOURCE_ALREADY_EXISTS');

export function createNetwork(ctx: GcpContext): NetworkApi {
  const c = ctx.clients;

  /** Gets a resource, or inserts it and waits for the operation; an insert racing another adopts theirs. */
  async function ensure(get: () => Promise<unknown>, insert: () => Promise<readonly [unknown, ...unknown[]]>): Promise<void> {
    try {
      await ctx.call(get);
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await waitOperation(ctx, operationOf(await ctx.call(insert)));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  async function ensureAll(name: string, tags: Tags): Promise<DefaultNetwork> {
    const project = await ctx.project();
    const region = ctx.region;
    const n = networkNames(name);
    const networkLink = `projects/${project}/global/networks/${n.network}`;
    await ensure(
      () => c.networks.get({ project, network: n.network }),
      () =>
        c.networks.insert({
          project,
          networkResource: {
            name: n.network,
            autoCreateSubnetworks: false,
            routingConfig: { routingMode: 'REGIONAL' },
            description: describeWithTags('Cloud-Barista default network', tags),
          },
        }),
    );
    await ensure(
      () => c.subnetworks.get({ project, region, subnetwork: n.subnetwork }),
      () =>
        c.subnetworks.insert({
          project,
          region,
          subnetworkResource: {
            name: n.subnetwork,
            network: networkLink,
            ipCidrRange: SUBNET_CIDR,
            description: describeWithTags('Cloud-Barista default subnetwork', tags),
          },
        }),
    );
    await ensure(
      () => c.firewalls.get({ project, firewall: n.firewall }),
      () =>
        c.firewalls.insert({
          project,
          firewallResource: {
            name: n.firewall,
            network: networkLink,
            direction: 'INGRESS',
            priority: 1000,
            allowed: [{ IPProtocol: 'tcp', ports: [SSH_PORT] }],
            sourceRanges: ['0.0.0.0/0'],
            description: describeWithTags('Cloud-Barista default: SSH from anywhere', tags),
          },
        }),
    );
    return {
      networkId: `global/networks/${n.network}`,
      subnetId: `regions/${region}/subnetworks/${n.subnetwork}`,
      securityGroupId: `global/firewalls/${n.firewall}`,
      zone: await ctx.zone(),
      extra: { region },
    };
  }

  /** Deletes and waits; "already gone" is fine, "still in use" is retried while dependants go. */
  async function remove(del: () => Promise<readonly [unknown, ...unknown[]]>): Promise<void> {
    await gone(() => whileInUse(async () => waitOperation(ctx, operationOf(await ctx.call(del))), ctx.tuning.dependencyWaitMs));
  }

  /** Whether the get finds it; not-found is false, anything else is thrown. */
  async function exists(get: () => Promise<unknown>): Promise<boolean> {
    try {
      await ctx.call(get);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  return {
    ensureDefault: ({ name, tags }) => ensureAll(name, tags),

    async findDefault({ name }): Promise<DefaultNetwork | undefined> {
      const project = await ctx.project();
      const region = ctx.region;
      const n = networkNames(name);
      const found = await Promise.all([
        exists(() => c.networks.get({ project, network: n.network })),
        exists(() => c.subnetworks.get({ project, region, subnetwork: n.subnetwork })),
        exists(() => c.firewalls.get({ project, firewall: n.firewall })),
      ]);
      if (!found.some(Boolean)) return undefined;
      // deleteDefault removes each piece by name and takes "already gone" as done.
      return {
        networkId: `global/networks/${n.network}`,
        subnetId: `regions/${region}/subnetworks/${n.subnetwork}`,
        securityGroupId: `global/firewalls/${n.firewall}`,
        extra: { region },
      };
    },

    async deleteDefault(net: DefaultNetwork): Promise<void> {
      const project = await ctx.project();
      const tail = (id: string) => id.split('/').pop() ?? '';
      const subnet = /regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(net.subnetId);
      if (!net.networkId || !subnet?.[1] || !subnet[2]) throw new OperationError(`not a GCE default network: ${JSON.stringify(net)}`);
      const [, region, subnetwork] = subnet;
      const network = tail(net.networkId);
      // Cluster port rules (./firewall.ts) live on this network too, and GCE refuses to delete a
      // network that a firewall still names: ours go with it. Anyone else's keep it (and say so).
      const [rules] = await ctx.call(() => c.firewalls.list({ project, filter: `network eq ".*/global/networks/${network}"`, maxResults: 500 }));
      const clusterRules = rules.filter((f) => f.name && isClusterFirewall(network, f.name) && tail(f.network ?? '') === network);
      await Promise.all(clusterRules.map((f) => remove(() => c.firewalls.delete({ project, firewall: f.name ?? '' }))));
      await remove(() => c.firewalls.delete({ project, firewall: tail(net.securityGroupId) }));
      await remove(() => c.subnetworks.delete({ project, region, subnetwork }));
      await remove(() => c.networks.delete({ project, network }));
    },
  };
}
