/**
 * MCIS VMs as long-running containers. The image is pulled when missing (its progress told to the
 * caller); the container gets the spec's CPU and memory limits, the `cb-*` labels, the
 * connection's bridge network and restart policy `unless-stopped`, and a keep-alive main process
 * that ends at once on SIGTERM (so `docker stop` is quick). Its name comes from the client token:
 * a re-run finds it and adopts it (starting it if the earlier run died between create and start).
 */
import { createHash } from 'node:crypto';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { found, gone } from '../common/retry.js';
import { checkSpec, specOf } from './catalog.js';
import type { DockerClient } from './client.js';
import { dockerError, hasCodeIn, isNotFound } from './errors.js';
import { nativeStateOf, toVmStatus } from './states.js';

const GIB = 1024 ** 3;
/** The label holding the client token, so an adopted container can be told from a stranger. */
export const TOKEN_LABEL = 'cb-client-token';
/** PID 1 of every container: waits forever, exits 0 on SIGTERM/SIGINT. Any image with /bin/sh has what it needs. */
export const KEEPALIVE = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

interface Inspect {
  Id: string;
  Name: string;
  Created: string;
  State: { Status: string; ExitCode?: number; StartedAt?: string };
  Config: { Image: string; Labels?: Record<string, string> | null; Hostname?: string };
  HostConfig: { NanoCpus?: number; Memory?: number };
  NetworkSettings: { Networks?: Record<string, { IPAddress?: string }> | null };
}

/** A Docker name from the VM name and the token: `web-1-3f2a9c1b0d4e` (readable, unique per token). */
export function containerName(vmName: string, clientToken: string): string {
  const base = vmName.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 48) || 'vm';
  return `${base}-${createHash('sha256').update(clientToken).digest('hex').slice(0, 12)}`;
}

export function toVmInfo(c: Inspect): VmInfo {
  const ips = Object.values(c.NetworkSettings.Networks ?? {})
    .map((n) => n.IPAddress)
    .filter((ip): ip is string => !!ip);
  const labels = { ...(c.Config.Labels ?? {}) };
  delete labels[TOKEN_LABEL];
  const spec = specOf(c.HostConfig.NanoCpus ?? 0, c.HostConfig.Memory ?? 0);
  const started = c.State.StartedAt && !c.State.StartedAt.startsWith('0001') ? c.State.StartedAt : c.Created;
  return {
    providerId: c.Id,
    status: toVmStatus(c.State.Status),
    nativeState: nativeStateOf({ Status: c.State.Status, ...(c.State.ExitCode !== undefined ? { ExitCode: c.State.ExitCode } : {}) }),
    ...(ips[0] ? { privateIp: ips[0] } : {}),
    ...(spec ? { spec } : {}),
    image: c.Config.Image,
    tags: labels,
    launchedAt: started,
  };
}

export function createVms(client: DockerClient, opts: { parallelism: number }): VmApi {
  const inspect = (id: string) => client.call((d) => d.getContainer(id).inspect() as Promise<Inspect>);
  const sem = new Semaphore(opts.parallelism);
  const run = <T>(task: () => Promise<T>) => sem.run(task);
  const each = (ids: string[], fn: (id: string) => Promise<unknown>) => Promise.all(ids.map((id) => run(() => fn(id)))).then(() => undefined);
  const zoneOf = async () => (await client.hostInfo()).Name;

  /** Starts a container; "already started" (304) is done. */
  const start = (id: string) =>
    client.call((d) => d.getContainer(id).start()).catch((e: unknown) => {
      if ((e as { statusCode?: number }).statusCode !== 304) throw e;
    });

  const ensureImage = async (ref: string, progress?: (m: string) => void) => {
    try {
      await client.call((d) => d.getImage(ref).inspect());
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    progress?.(`pulling ${ref}`);
    const stream = await client.call((d) => d.pull(ref));
    await new Promise<void>((resolve, reject) => {
      client.docker.modem.followProgress(
        stream,
        (err: Error | null, lines: Array<{ error?: string }>) => {
          const failed = err ?? (lines.find((l) => l.error) ? new Error(lines.find((l) => l.error)!.error) : null);
          if (failed) reject(dockerError(failed));
          else resolve();
        },
        (line: { status?: string; id?: string }) => {
          // Per-layer milestones, not every byte count.
          if (line.status && !/^(Downloading|Extracting|Waiting|Verifying)/.test(line.status)) progress?.(`${ref}: ${line.id ? `${line.id} ` : ''}${line.status}`);
        },
      );
    });
  };

  const create = async (req: CreateVmRequest): Promise<VmInfo> => {
    const info = await client.hostInfo();
    const size = checkSpec(req.spec, info);
    const name = containerName(req.name, req.clientToken);
    let existing: Inspect | undefined;
    try {
      existing = await inspect(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!existing) {
      await ensureImage(req.imageId, req.progress);
      try {
        await client.call((d) =>
          d.createContainer({
            name,
            Image: req.imageId,
            Hostname: req.name,
            Entrypoint: KEEPALIVE,
            Cmd: [],
            Labels: { ...req.tags, [TOKEN_LABEL]: req.clientToken },
            HostConfig: {
              NanoCpus: Math.round(size.cpus * 1e9),
              Memory: Math.round(size.memoryGiB * GIB),
              RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
              NetworkMode: req.network.extra.name ?? req.network.networkId,
            },
          }),
        );
      } catch (e) {
        // A concurrent run with the same token made it: adopt below.
        if (!hasCodeIn(e, 'NameInUse')) throw e;
      }
      existing = await inspect(name);
    }
    if (existing.Config.Labels?.[TOKEN_LABEL] !== req.clientToken) {
      throw dockerError(Object.assign(new Error(`container ${name} exists and is not this VM's (its ${TOKEN_LABEL} label differs)`), { statusCode: 409 }));
    }
    if (existing.State.Status === 'created' || existing.State.Status === 'exited') await start(existing.Id);
    return { ...toVmInfo(await inspect(existing.Id)), zone: await zoneOf() };
  };

  const described = (id: string): Promise<VmInfo | undefined> => found(async () => toVmInfo(await inspect(id)));

  return {
    create,
    async describe(ids) {
      const zone = await zoneOf();
      const all = await Promise.all(ids.map((id) => run(() => described(id))));
      return all.filter((v): v is VmInfo => v !== undefined).map((v) => ({ ...v, zone }));
    },
    async findByTags(tags: Tags) {
      const labels = Object.entries(tags).map(([k, v]) => `${k}=${v}`);
      const list = await client.call((d) => d.listContainers({ all: true, filters: { label: labels } }));
      const zone = await zoneOf();
      const all = await Promise.all(list.map((c) => run(() => described(c.Id))));
      return all.filter((v): v is VmInfo => v !== undefined).map((v) => ({ ...v, zone }));
    },
    // Suspend is `docker stop`: the container's processes end, its file system stays.
    suspend: (ids) => each(ids, (id) => client.call((d) => d.getContainer(id).stop()).catch((e: unknown) => {
      if ((e as { statusCode?: number }).statusCode !== 304) throw e;
    })),
    resume: (ids) => each(ids, start),
    reboot: (ids) => each(ids, (id) => client.call((d) => d.getContainer(id).restart())),
    // Removed with its anonymous volumes (`docker rm -f -v`).
    terminate: (ids) => each(ids, (id) => gone(() => client.call((d) => d.getContainer(id).remove({ force: true, v: true })))),
  };
}
