/**
 * A Docker connection's "VPC": one user-defined bridge network, named as the core names the
 * default network and labelled with its tags. Containers on it reach each other by name; the
 * bridge is its own isolation, so its id stands for subnet and security group too.
 */
import type { DefaultNetwork, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { gone, retryWhile } from '../common/retry.js';
import type { DockerClient } from './client.js';
import { dockerError, hasCodeIn } from './errors.js';

interface NetworkInfo {
  Id: string;
  Name: string;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: Array<{ Subnet?: string }> | null };
}

function toDefault(n: NetworkInfo): DefaultNetwork {
  const subnet = n.IPAM?.Config?.[0]?.Subnet;
  return { networkId: n.Id, subnetId: subnet ?? n.Id, securityGroupId: n.Id, extra: { name: n.Name } };
}

export function createNetwork(client: DockerClient): NetworkApi {
  const find = async (name: string): Promise<NetworkInfo | undefined> => {
    // The name filter matches substrings: keep the exact one.
    const list = (await client.call((d) => d.listNetworks({ filters: { name: [name] } }))) as NetworkInfo[];
    const hit = list.find((n) => n.Name === name);
    return hit ? ((await client.call((d) => d.getNetwork(hit.Id).inspect()))) : undefined;
  };
  return {
    async ensureDefault({ name, tags }: { name: string; tags: Tags }) {
      const existing = await find(name);
      if (existing) return toDefault(existing);
      try {
        await client.call((d) => d.createNetwork({ Name: name, Driver: 'bridge', Labels: tags, CheckDuplicate: true }));
      } catch (e) {
        // Another run made it first: adopt that one.
        if (!hasCodeIn(e, 'Conflict', 'NameInUse') && !/already exists/i.test(dockerError(e).message)) throw e;
      }
      const made = await find(name);
      if (!made) throw dockerError(new Error(`network ${name} was created but is not listed`));
      return toDefault(made);
    },
    async findDefault({ name }) {
      const n = await find(name);
      return n ? toDefault(n) : undefined;
    },
    async deleteDefault(net) {
      // Containers being removed may still hold an endpoint for a moment.
      await retryWhile(
        () => gone(() => client.call((d) => d.getNetwork(net.networkId).remove())),
        (e) => hasCodeIn(e, 'NetworkInUse'),
        { maxWaitMs: 30_000 },
      );
    },
  };
}
