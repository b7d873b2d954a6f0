/**
 * VM lifecycle on GCE: insert (idempotent by request id and by name), describe, find by labels,
 * and stop / start / reset / delete, each waiting for its zone operation so a failure (a start
 * refused for capacity) surfaces as an error rather than a VM that never changes state.
 * Provider ids are `ZONE/NAME`: instance calls need both.
 */
import type { protos } from '@google-cloud/compute';
import type { CreateVmRequest, VmApi, VmInfo } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError, UsageError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import type { GcpContext } from './context.js';
import { hasCode, isNotFound } from './errors.js';
import { fromLabels, labelFilter, toLabels } from './labels.js';
import { instanceName, requestIdFor } from './names.js';
import { lastSegment, operationOf, waitOperation } from './operations.js';
import { found, gone } from './retry.js';
import { toVmStatus } from './states.js';

type Instance = protos.google.cloud.compute.v1.IInstance;

/** Up to this many ids in one zone are fetched one by one; more, and the zone is listed once. */
const GET_EACH_MAX = 8;

export function providerIdOf(zone: string, name: string): string {
  return `${zone}/${name}`;
}

export function parseProviderId(id: string): { zone: string; name: string } | undefined {
  const m = /^([a-z]+-[a-z]+\d+-[a-z])\/([a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/.exec(id);
  return m?.[1] && m[2] ? { zone: m[1], name: m[2] } : undefined;
}

/** Machine families with built-in GPUs (A2, A3, A4, G2, G4). */
const ACCELERATOR_FAMILIES = /^(a2|a3|a4|g2|g4)-/;

export function toVmInfo(i: Instance): VmInfo {
  const zone = lastSegment(i.zone) ?? '';
  const nic = i.networkInterfaces?.[0];
  const natIP = nic?.accessConfigs?.find((a) => a.natIP)?.natIP;
  const status = i.status ?? 'UNKNOWN';
  return {
    providerId: providerIdOf(zone, i.name ?? ''),
    status: toVmStatus(status),
    nativeState: status,
    ...(natIP ? { publicIp: natIP } : {}),
    ...(nic?.networkIP ? { privateIp: nic.networkIP } : {}),
    ...(i.machineType ? { spec: lastSegment(i.machineType) ?? i.machineType } : {}),
    ...(zone ? { zone } : {}),
    tags: fromLabels(i.labels),
    ...(i.creationTimestamp ? { launchedAt: new Date(i.creationTimestamp).toISOString() } : {}),
  };
}

export function createVms(ctx: GcpContext): VmApi {
  const c = ctx.clients;

  const getOne = (project: string, zone: string, name: string): Promise<Instance | undefined> =>
    found(async () => (await ctx.call(() => c.instances.get({ project, zone, instance: name })))[0]);

  async function inZone(project: string, zone: string, names: string[]): Promise<VmInfo[]> {
    if (names.length <= GET_EACH_MAX) {
      const found = await Promise.all(names.map((n) => getOne(project, zone, n)));
      return found.flatMap((i) => (i ? [toVmInfo(i)] : []));
    }
    const wanted = new Set(names);
    const [all] = await ctx.call(() => c.instances.list({ project, zone, maxResults: 500 }));
    return all.filter((i) => i.name && wanted.has(i.name)).map(toVmInfo);
  }

  async function describe(ids: string[]): Promise<VmInfo[]> {
    const project = await ctx.project();
    const byZone = new Map<string, string[]>();
    for (const id of new Set(ids)) {
      const p = parseProviderId(id);
      // Not an id this driver made: the cloud cannot know it.
      if (p) byZone.set(p.zone, [...(byZone.get(p.zone) ?? []), p.name]);
    }
    const parts = await Promise.all([...byZone].map(([zone, names]) => inZone(project, zone, names)));
    return parts.flat();
  }

  /** Runs `act` on each VM (bounded in parallel) and waits for its operation; `ok` errors are fine. */
  async function each(ids: string[], act: (project: string, zone: string, instance: string) => Promise<readonly [unknown, ...unknown[]]>, ok: (e: unknown) => boolean = () => false): Promise<void> {
    const project = await ctx.project();
    const gate = new Semaphore(ctx.tuning.actionParallelism);
    await Promise.all(
      [...new Set(ids)].map((id) =>
        gate.run(async () => {
          const p = parseProviderId(id);
          if (!p) throw new UsageError(`'${id}' is not a GCE instance id (ZONE/NAME)`);
          try {
            await waitOperation(ctx, operationOf(await ctx.call(() => act(project, p.zone, p.name))));
          } catch (e) {
            if (!ok(e)) throw e;
          }
        }),
      ),
    );
  }

  return {
    async create(req: CreateVmRequest): Promise<VmInfo> {
      const project = await ctx.project();
      const zone = req.network.zone ?? (await ctx.zone());
      const name = instanceName(req.name, req.clientToken);
      const instanceResource: Instance = {
        name,
        machineType: `zones/${zone}/machineTypes/${req.spec}`,
        disks: [
          {
            boot: true,
            autoDelete: true,
            initializeParams: {
              sourceImage: req.imageId,
              ...(req.rootDiskGb ? { diskSizeGb: String(req.rootDiskGb) } : {}),
            },
          },
        ],
        networkInterfaces: [
          {
            subnetwork: `projects/${project}/${req.network.subnetId}`,
            accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }],
          },
        ],
        // The guest agent creates req.sshUser and authorizes the key: no key-pair resource on GCE.
        metadata: { items: [{ key: 'ssh-keys', value: `${req.sshUser}:${req.publicKey.trim()}` }] },
        labels: toLabels(req.tags),
        // The MCIS firewall's rules target this network tag (mcis-firewall.ts).
        ...(req.firewall ? { tags: { items: [req.firewall.id] } } : {}),
        description: `Cloud-Barista VM ${req.name}`,
        // Accelerator-optimized types carry GPUs, which GCE cannot live-migrate: it refuses them
        // ("Instances with guest accelerators do not support live migration") unless maintenance stops them.
        ...(ACCELERATOR_FAMILIES.test(req.spec) ? { scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true } } : {}),
      };
      try {
        // The same request id makes GCE answer a repeat with the first call's operation.
        const result = await ctx.call(() => c.instances.insert({ project, zone, instanceResource, requestId: requestIdFor(req.clientToken) }));
        await waitOperation(ctx, operationOf(result));
      } catch (e) {
        // An earlier, interrupted run (past the request id's 60 minutes) made it: the name is ours.
        if (!hasCode(e, 'alreadyExists', 'RESOURCE_ALREADY_EXISTS')) throw e;
        const made = await getOne(project, zone, name);
        if (!made) throw new OperationError(`instance ${name} exists in ${zone} but cannot be read back`);
        return toVmInfo(made);
      }
      // The insert operation is done: the instance exists and is on its way up. Its addresses come
      // with the next describe (the caller polls until Running); no read-back per VM.
      return { providerId: providerIdOf(zone, name), status: 'Creating', nativeState: 'PROVISIONING', spec: req.spec, zone, tags: fromLabels(instanceResource.labels) };
    },

    describe,

    async findByTags(tags: Tags): Promise<VmInfo[]> {
      const project = await ctx.project();
      return ctx.call(async () => {
        const out: VmInfo[] = [];
        const pages = c.instances.aggregatedListAsync({ project, filter: labelFilter(tags), maxResults: 500 }, { autoPaginate: false });
        for await (const [, scoped] of pages) for (const i of scoped.instances ?? []) out.push(toVmInfo(i));
        return out;
      });
    },

    async suspend(ids) {
      await each(ids, (project, zone, instance) => c.instances.stop({ project, zone, instance }));
    },

    async resume(ids) {
      await each(ids, (project, zone, instance) => c.instances.start({ project, zone, instance }));
    },

    async reboot(ids) {
      await each(ids, (project, zone, instance) => c.instances.reset({ project, zone, instance }));
    },

    async terminate(ids) {
      // Deleting what is already gone is done.
      await gone(() => each(ids, (project, zone, instance) => c.instances.delete({ project, zone, instance }), isNotFound));
    },
  };
}
