/**
 * Nova servers. OpenStack takes no client token, so create is idempotent the way the issue asks:
 * the token goes into the server's metadata (`cb-client-token`) and, hashed, into a Nova tag
 * (`cbt-…`, server-side filterable); before launching, the driver looks for a server carrying it
 * and adopts it. The public IP is a floating IP from the external network on the server's port,
 * made (or found) as part of create; terminate releases it before deleting the server.
 */
import { createHash } from 'node:crypto';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { gone, retryWhile } from '../common/retry.js';
import type { OsClient } from './client.js';
import { hasCode } from './errors.js';
import { describeNative, nativeStateOf, toVmStatus } from './states.js';

export const TOKEN_KEY = 'cb-client-token';

/** RFC 1918 and shared (100.64/10) ranges. */
const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/;

/** The Nova tag for a client token: tags are at most 60 characters, tokens may be longer. */
export function tokenTag(token: string): string {
  return `cbt-${createHash('sha256').update(token).digest('hex').slice(0, 40)}`;
}

export interface NovaServer extends Record<string, unknown> {
  /** A UUID; very old Nova (and Rackspace) used numbers. */
  id: string | number;
  metadata?: Record<string, string>;
  addresses?: Record<string, { addr: string; 'OS-EXT-IPS:type'?: string }[]>;
  flavor?: { original_name?: string; id?: string };
  image?: { id?: string } | string;
}

export function toVmInfo(s: NovaServer): VmInfo {
  const native = nativeStateOf(s);
  const addrs = Object.values(s.addresses ?? {}).flat().filter((a) => !a.addr.includes(':'));
  // Without the OS-EXT-IPS type (old Nova), an address outside the private ranges is the public one.
  const isPublic = (a: (typeof addrs)[number]) => (a['OS-EXT-IPS:type'] ? a['OS-EXT-IPS:type'] === 'floating' : !PRIVATE.test(a.addr));
  const publicIp = addrs.find(isPublic)?.addr;
  const privateIp = addrs.find((a) => !isPublic(a))?.addr;
  const tags: Tags = Object.fromEntries(Object.entries(s.metadata ?? {}).filter(([k]) => k !== TOKEN_KEY));
  const image = typeof s.image === 'object' ? s.image.id : undefined;
  const zone = s['OS-EXT-AZ:availability_zone'];
  const launched = s['OS-SRV-USG:launched_at'];
  return {
    providerId: String(s.id),
    status: toVmStatus(native),
    nativeState: describeNative(native),
    tags,
    ...(publicIp ? { publicIp } : {}),
    ...(privateIp ? { privateIp } : {}),
    ...(s.flavor?.original_name ? { spec: s.flavor.original_name } : {}),
    ...(image ? { image } : {}),
    ...(typeof zone === 'string' && zone ? { zone } : {}),
    ...(typeof launched === 'string' ? { launchedAt: `${launched.replace(/\.\d+$/, '')}Z`.replace(/ZZ$/, 'Z') } : {}),
  };
}

/**
 * The image to boot, on the flavor's own disk; or, when the manifest's root disk is larger than
 * that disk, a volume of that size made from the image (boot from volume, deleted with the server).
 */
export function bootDisk(req: Pick<CreateVmRequest, 'imageId' | 'rootDiskGb'>, flavorDiskGb: number): Record<string, unknown> {
  if (!req.rootDiskGb || req.rootDiskGb <= flavorDiskGb) return { imageRef: req.imageId };
  return {
    block_device_mapping_v2: [{ boot_index: 0, uuid: req.imageId, source_type: 'image', destination_type: 'volume', volume_size: req.rootDiskGb, delete_on_termination: true }],
  };
}

export function createVms(client: OsClient, o: { pollIntervalMs: number; parallelism: number }): VmApi {
  const limit = new Semaphore(o.parallelism);
  const compute = <T>(method: string, path: string, body?: unknown) => client.call<T>('compute', method, path, body);
  const net = <T>(method: string, path: string, body?: unknown) => client.call<T>('network', method, path, body);

  /** Every server the query matches, following Nova's limit/marker pages. */
  async function listAll(query = ''): Promise<NovaServer[]> {
    const out: NovaServer[] = [];
    let marker = '';
    for (;;) {
      const page = await compute<{ servers: NovaServer[]; servers_links?: { rel: string }[] }>('GET', `/servers/detail?limit=200${query}${marker ? `&marker=${marker}` : ''}`);
      out.push(...page.servers);
      if (!page.servers_links?.some((l) => l.rel === 'next') || page.servers.length === 0) return out;
      marker = String(page.servers[page.servers.length - 1]!.id);
    }
  }

  async function flavorOf(spec: string): Promise<{ id: string; disk: number }> {
    const r = await compute<{ flavors: { id: string; name: string; disk?: number }[] }>('GET', '/flavors/detail');
    const f = r.flavors.find((x) => x.name === spec || x.id === spec);
    if (!f) throw new UsageError(`flavor '${spec}' does not exist in region ${client.region}`, { hint: `pick one of: ${r.flavors.map((x) => x.name).join(', ')}` });
    return { id: f.id, disk: f.disk ?? 0 };
  }

  async function serverPorts(serverId: string): Promise<{ id: string }[]> {
    return (await net<{ ports: { id: string }[] }>('GET', `/ports?device_id=${serverId}`)).ports;
  }

  /** The floating IP on the server's first port, made if missing (Nova makes the port while it builds). */
  async function ensureFloatingIp(serverId: string, externalNetworkId: string | undefined): Promise<void> {
    const port = await retryWhile(
      async () => {
        const ports = await serverPorts(serverId);
        if (ports[0]) return ports[0];
        const s = (await compute<{ server: NovaServer }>('GET', `/servers/${serverId}`)).server;
        // A build that failed gets no port: nothing to attach to, the status says why.
        if (s.status === 'ERROR') return undefined;
        throw new Error('port not there yet');
      },
      (e) => e instanceof Error && e.message === 'port not there yet',
      { maxWaitMs: 120_000, minDelayMs: o.pollIntervalMs, maxDelayMs: 2_000 },
    );
    if (!port) return;
    const existing = await net<{ floatingips: unknown[] }>('GET', `/floatingips?port_id=${port.id}`);
    if (existing.floatingips.length > 0) return;
    const ext = externalNetworkId || (await net<{ networks: { id: string }[] }>('GET', '/networks?router:external=true')).networks[0]?.id;
    if (!ext) return;
    await net('POST', '/floatingips', { floatingip: { floating_network_id: ext, port_id: port.id, description: `cbadm public IP of server ${serverId}` } });
  }

  async function releaseFloatingIps(serverId: string): Promise<void> {
    for (const p of await serverPorts(serverId)) {
      const fips = await net<{ floatingips: { id: string }[] }>('GET', `/floatingips?port_id=${p.id}`);
      for (const f of fips.floatingips) await gone(() => net('DELETE', `/floatingips/${f.id}`));
    }
  }

  async function one(id: string): Promise<NovaServer> {
    return (await compute<{ server: NovaServer }>('GET', `/servers/${id}`)).server;
  }

  /** Runs a server action; a 409 because the server is already where it is asked to go is done. */
  async function action(ids: string[], body: Record<string, unknown>, already: (status: string) => boolean): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        limit.run(async () => {
          try {
            await compute('POST', `/servers/${id}/action`, body);
          } catch (e) {
            if (!hasCode(e, 'conflictingRequest') || !already(describeNative(nativeStateOf(await one(id))))) throw e;
          }
        }),
      ),
    );
  }

  return {
    async create(req: CreateVmRequest) {
      const tag = tokenTag(req.clientToken);
      const adopted = (await listAll(`&tags=${tag}`)).find((s) => s.metadata?.[TOKEN_KEY] === req.clientToken && s['OS-EXT-STS:task_state'] !== 'deleting');
      let id = adopted ? String(adopted.id) : undefined;
      if (!id) {
        const flavor = await flavorOf(req.spec);
        const server = {
          name: req.name,
          flavorRef: flavor.id,
          ...bootDisk(req, flavor.disk),
          key_name: req.keyName,
          networks: [{ uuid: req.network.networkId }],
          // The MCIS firewall carries SSH itself (mcis-firewall.ts), so it replaces the default group.
          security_groups: [{ name: req.firewall?.id ?? req.network.securityGroupId }],
          metadata: { ...req.tags, [TOKEN_KEY]: req.clientToken },
          tags: [tag],
          ...(req.network.zone ? { availability_zone: req.network.zone } : {}),
        };
        id = (await compute<{ server: { id: string } }>('POST', '/servers', { server })).server.id;
      }
      await ensureFloatingIp(id, req.network.extra.externalNetworkId);
      return toVmInfo(await one(id));
    },
    async describe(ids) {
      if (ids.length === 0) return [];
      const want = new Set(ids);
      return (await listAll()).filter((s) => want.has(String(s.id))).map(toVmInfo);
    },
    async findByTags(tags) {
      return (await listAll()).filter((s) => Object.entries(tags).every(([k, v]) => s.metadata?.[k] === v)).map(toVmInfo);
    },
    suspend: (ids) => action(ids, { 'os-stop': null }, (st) => st === 'SHUTOFF' || st.endsWith('/powering-off')),
    resume: (ids) => action(ids, { 'os-start': null }, (st) => st === 'ACTIVE' || st.endsWith('/powering-on')),
    reboot: (ids) => action(ids, { reboot: { type: 'SOFT' } }, (st) => st.startsWith('REBOOT')),
    async terminate(ids) {
      await Promise.all(
        ids.map((id) =>
          limit.run(async () => {
            await gone(() => releaseFloatingIps(id));
            await gone(() => compute('DELETE', `/servers/${id}`));
          }),
        ),
      );
    },
  };
}
