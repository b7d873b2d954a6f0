/**
 * Cloudit servers (ACE) and their public IPs (DNA adaptive IPs). Cloudit takes no client token:
 * the token travels with the `cb-*` tags as JSON in the server's description, and before
 * launching the driver looks for a server carrying it and adopts it, so a killed create re-run
 * makes no second server. Cloudit sets a root password at create; the driver sends a random one
 * that is never printed, logged or kept, and the SSH public key in the server's key fields
 * (sshKeyName/sshPublicKey), which is how the VM is reached. The public IP is an adaptive IP
 * mapped to the server's private IP, made as part of create and released before delete (Cloudit
 * refuses to delete a server that still has one).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { ConflictError, UsageError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { found, gone, retryWhile } from '../common/retry.js';
import type { CiCluster, CiSpec } from './catalog.js';
import type { CiClient } from './client.js';
import { hasCode } from './errors.js';
import { toVmStatus } from './states.js';
import { describeTags, tagsOf } from './tags.js';

export const TOKEN_KEY = 'cb-client-token';

export interface CiServer {
  id: string;
  name: string;
  state: string;
  privateIp?: string;
  adaptiveIp?: string;
  spec?: string;
  templateId?: string;
  clusterName?: string;
  description?: string;
  createdAt?: string;
}

/** A root password Cloudit accepts (letters, digits, a symbol) that nobody will ever need: the key is the way in. */
export function randomRootPassword(): string {
  return `${randomBytes(18).toString('base64url')}#7a`;
}

/**
 * The server's name: Cloudit names are unique per tenant, and two MCIS may both have a `web-1`, so
 * the VM's name gets a suffix from its client token (the same on a re-run, so it stays adoptable).
 */
export function serverNameOf(name: string, clientToken: string): string {
  return `${name.slice(0, 54)}-${createHash('sha256').update(clientToken).digest('hex').slice(0, 8)}`;
}

/** Cloudit host names: letters, digits and '-'. */
const hostNameOf = (name: string) => name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63);

export function toVmInfo(s: CiServer): VmInfo {
  const tags: Tags = Object.fromEntries(Object.entries(tagsOf(s.description)).filter(([k]) => k !== TOKEN_KEY));
  return {
    providerId: s.id,
    status: toVmStatus(s.state),
    nativeState: s.state,
    tags,
    ...(s.adaptiveIp ? { publicIp: s.adaptiveIp } : {}),
    ...(s.privateIp ? { privateIp: s.privateIp } : {}),
    ...(s.spec ? { spec: s.spec } : {}),
    ...(s.templateId ? { image: s.templateId } : {}),
    ...(s.clusterName ? { zone: s.clusterName } : {}),
    ...(s.createdAt ? { launchedAt: `${s.createdAt.replace(' ', 'T')}Z` } : {}),
  };
}

export function createVms(client: CiClient, o: { cluster: string; pollIntervalMs: number; parallelism: number }): VmApi {
  const limit = new Semaphore(o.parallelism);
  const ace = <T>(method: string, path: string, body?: unknown) => client.call<T>('ace', method, path, body);
  const list = () => ace<CiServer[]>('GET', '/servers');
  const one = (id: string) => ace<CiServer>('GET', `/servers/${id}`);

  async function lookup<T extends { id: string; name: string }>(path: string, ref: string, what: string): Promise<T> {
    const all = await ace<T[]>('GET', path);
    const found = all.find((x) => x.name === ref || x.id === ref);
    if (!found) throw new UsageError(`${what} '${ref}' does not exist in this Cloudit tenant`, { hint: `pick one of: ${all.map((x) => x.name).join(', ')}` });
    return found;
  }

  /** The server's adaptive IP, mapped from a free public IP when it has none (a cut-off run may have mapped it). */
  async function ensureAdaptiveIp(id: string): Promise<void> {
    const server = await retryWhile(
      async () => {
        const s = await one(id);
        if (!s.privateIp && toVmStatus(s.state) === 'Creating') throw new Error('no private IP yet');
        return s;
      },
      (e) => e instanceof Error && e.message === 'no private IP yet',
      { maxWaitMs: 120_000, minDelayMs: o.pollIntervalMs, maxDelayMs: 2_000 },
    );
    if (server.adaptiveIp || !server.privateIp || toVmStatus(server.state) === 'Failed') return;
    // Parallel creates may pick the same free IP: the loser takes the next one.
    await retryWhile(
      async () => {
        const [free] = await client.call<{ addr: string }[]>('dna', 'GET', '/ips');
        if (!free) throw new ConflictError('this Cloudit tenant has no free public IP for an adaptive IP', { hint: 'release unused adaptive IPs (DNA > adaptive IPs) or ask the operator for more' });
        try {
          await client.call('dna', 'POST', '/adaptive-ips', { ip: free.addr, name: server.name, privateIp: server.privateIp });
        } catch (e) {
          if (!hasCode(e, 'ADAPTIVE_IP_EXISTS')) throw e;
        }
      },
      (e) => hasCode(e, 'IP_NOT_AVAILABLE'),
      { maxWaitMs: 30_000, minDelayMs: 50 },
    );
  }

  /** Runs a server action; a 409 because the server is where it is asked to go already is done. */
  async function action(ids: string[], verb: 'shutdown' | 'start' | 'reboot', already: (state: string) => boolean): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        limit.run(async () => {
          try {
            await ace('POST', `/servers/${id}/${verb}`);
          } catch (e) {
            if (!hasCode(e, 'INVALID_SERVER_STATE') || !already((await one(id)).state)) throw e;
          }
        }),
      ),
    );
  }

  return {
    async create(req: CreateVmRequest) {
      const servers = await list();
      const adopted = servers.find((s) => tagsOf(s.description)[TOKEN_KEY] === req.clientToken && toVmStatus(s.state) !== 'Terminating');
      let id = adopted?.id;
      if (!id) {
        const name = serverNameOf(req.name, req.clientToken);
        if (servers.some((s) => s.name === name)) throw new ConflictError(`a Cloudit server named '${name}' exists already and is not this VM`, { hint: 'Cloudit server names are unique per tenant: remove or rename that server' });
        const [spec, cluster] = await Promise.all([lookup<CiSpec>('/specs', req.spec, 'spec'), lookup<CiCluster>('/clusters', req.network.zone ?? o.cluster, 'cluster')]);
        const made = await ace<CiServer>('POST', '/servers', {
          templateId: req.imageId,
          specId: spec.id,
          name,
          hostName: hostNameOf(req.name),
          rootPassword: randomRootPassword(),
          subnetAddr: req.network.subnetId,
          // The MCIS group, when there is one, replaces the connection's SSH group: it carries SSH itself.
          secgroups: [{ id: req.firewall?.id ?? req.network.securityGroupId }],
          description: describeTags({ ...req.tags, [TOKEN_KEY]: req.clientToken }),
          clusterId: cluster.id,
          sshKeyName: req.keyName,
          sshPublicKey: req.publicKey.trim(),
        });
        id = made.id;
      }
      await ensureAdaptiveIp(id);
      return toVmInfo(await one(id));
    },
    async describe(ids) {
      if (ids.length === 0) return [];
      const want = new Set(ids);
      return (await list()).filter((s) => want.has(s.id)).map(toVmInfo);
    },
    async findByTags(tags) {
      return (await list())
        .filter((s) => (s.clusterName ?? o.cluster) === o.cluster && Object.entries(tags).every(([k, v]) => tagsOf(s.description)[k] === v))
        .map(toVmInfo);
    },
    suspend: (ids) => action(ids, 'shutdown', (st) => ['stopped', 'stopping'].includes(st.toLowerCase())),
    resume: (ids) => action(ids, 'start', (st) => ['running', 'starting'].includes(st.toLowerCase())),
    reboot: (ids) => action(ids, 'reboot', (st) => st.toLowerCase() === 'rebooting'),
    async terminate(ids) {
      await Promise.all(
        ids.map((id) =>
          limit.run(async () => {
            const s = await found(() => one(id));
            if (!s) return;
            if (s.adaptiveIp) await gone(() => client.call('dna', 'DELETE', `/adaptive-ips/${encodeURIComponent(s.adaptiveIp!)}`));
            await gone(() => ace('DELETE', `/servers/${id}`));
          }),
        ),
      );
    },
  };
}
