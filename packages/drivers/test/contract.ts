/**
 * The driver contract: one suite every driver runs (aws, gcp and azure: `<cloud>.contract.int.test.ts`),
 * against Cloud-Twin or a real cloud. It walks the whole life of a VM through the driver port only:
 * catalog → default network → key pair → create (idempotent) → Running + SSH → suspend → resume →
 * reboot → terminate → delete key and network → nothing of ours left. A provider whose VMs are not
 * entered by SSH (Docker containers) gives its own way to run a command (`run`).
 */
import { randomBytes } from 'node:crypto';
import { generateSshKeyPair } from '@cloud-barista/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  poll,
  TAG,
  type Acceptance,
  UsageError,
  type CloudDriver,
  type DefaultNetwork,
  type Image,
  type Tags,
  type VmInfo,
  type VmStatus,
} from '@cloud-barista/core';
import { sshExec, type ExecResult } from './ssh.js';
import type { TwinBed } from './twin-bed.js';
import { freePort } from '../../../test-support/net.js';

export interface ContractTarget {
  driver: CloudDriver;
  /** TCP port of the VMs' SSH servers (22 on clouds, the twin's port locally). */
  sshPort: number;
  cleanup(): Promise<void>;
  /** Spec to launch; default: the smallest x86_64 spec the catalog lists. */
  spec?: string;
  /** Image alias to launch; default ubuntu-22.04. */
  image?: string;
  /** The image's login user, where the cloud's images differ from the OS default (Alibaba: root). */
  sshUser?: string;
  /** Whether the cloud keeps key pairs as resources (EC2, ECS); default: only aws. */
  keyPairResources?: boolean;
  /** How long one wait (Running, Suspended…) may take; default 5 minutes. */
  maxWaitMs?: number;
  /**
   * Driver-specific look behind the port: the ids of anything carrying `tags` that still exists
   * (networks, subnets, gateways, groups, key pairs). Empty when all is cleaned up.
   */
  leftovers?(tags: Tags): Promise<string[]>;
  /** Runs a command on the VM where SSH is not the way in (Docker: Engine exec); default SSH. */
  run?(vm: VmInfo, cmd: string): Promise<ExecResult>;
  /** Whether a running VM has a public IP (default true; a container has none). */
  publicIp?: boolean;
}

const isLive = (v: VmInfo) => v.status !== 'Terminated';

/** What a contract file on Cloud-Twin gives of its own; the rest comes from its twin. */
export type TwinContractTarget = Omit<ContractTarget, 'sshPort' | 'cleanup'> & { sshPort?: number; cleanup?(): Promise<void> | void };

/**
 * The contract on a twin of the file's own: `boot` starts it with VM SSH on a port nothing else
 * listens on (two runs on one host do not meet); the twin's SSH port, a twin-sized wait and the
 * teardown come from here, `target` gives the cloud's own parts (its `cleanup` runs first).
 */
export function runContractOnTwin(name: string, boot: (sshPort: number) => Promise<TwinBed>, target: (bed: TwinBed) => TwinContractTarget): void {
  runDriverContract(name, async () => {
    const bed = await boot(await freePort());
    const own = target(bed);
    return {
      sshPort: bed.twin.sshPort,
      maxWaitMs: 30_000,
      ...own,
      cleanup: async () => {
        await own.cleanup?.();
        await bed.close();
      },
    };
  });
}

export function runDriverContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`driver contract: ${name}`, () => {
    const run = randomBytes(3).toString('hex');
    const ns = `contract-${run}`;
    const baseTags: Tags = { [TAG.managed]: 'true', [TAG.ns]: ns };
    const netName = `cb-${ns}`;
    const keyName = `cb-${ns}-key`;
    // core's generator: ssh2's drops a leading zero byte of 1 key in 256, which EC2 rightly refuses.
    const pair = generateSshKeyPair(keyName);
    const key = { public: pair.publicKey, private: pair.privateKey };
    const vmTags: Tags = { ...baseTags, [TAG.mcis]: 'contract', [TAG.vm]: 'web-1' };

    let t: ContractTarget;
    let driver: CloudDriver;
    let maxWaitMs = 300_000;
    let image: Image;
    let spec: string;
    let net: DefaultNetwork | undefined;
    let keyMade = false;
    let vm: VmInfo;
    const step = () => maxWaitMs + 30_000;

    const waitFor = (id: string, want: VmStatus, needIp = false) =>
      poll(
        () => driver.vms.describe([id]),
        (vms): Acceptance<VmInfo> => {
          const v = vms.find((x) => x.providerId === id);
          // Deleted VMs leave the listing on some clouds (GCE, Azure): the port leaves unknown ids out.
          if (!v && want === 'Terminated') {
            return { state: 'success', value: { providerId: id, status: 'Terminated', nativeState: 'gone', tags: {} } };
          }
          if (v && v.status === want && (!needIp || t.publicIp === false || v.publicIp)) return { state: 'success', value: v };
          if (v && (v.status === 'Failed' || (v.status === 'Terminated' && want !== 'Terminated'))) {
            return { state: 'failure', reason: `VM ${id} is ${v.status} (${v.nativeState})` };
          }
          return { state: 'retry' };
        },
        { maxWaitMs, minDelayMs: 100, maxDelayMs: 2_000, what: `VM ${id} to be ${want}` },
      );

    /** Runs `cmd` over SSH, retrying connection failures while sshd comes up. */
    const sshRun = (v: VmInfo, cmd: string) =>
      poll(
        async (): Promise<ExecResult | Error> => {
          try {
            if (t.run) return await t.run(v, cmd);
            return await sshExec(
              { host: v.publicIp ?? '', port: t.sshPort, username: image.sshUser, privateKey: key.private },
              cmd,
            );
          } catch (e) {
            return e instanceof Error ? e : new Error(String(e));
          }
        },
        (r): Acceptance<ExecResult> =>
          r instanceof Error ? { state: 'retry' } : { state: 'success', value: r },
        { maxWaitMs, minDelayMs: 200, maxDelayMs: 3_000, what: `a command on ${v.publicIp ?? v.providerId}` },
      );

    beforeAll(async () => {
      t = await setup();
      driver = t.driver;
      maxWaitMs = t.maxWaitMs ?? maxWaitMs;
    }, 120_000);

    afterAll(async () => {
      if (!t) return;
      // Best effort after a failure half-way: leave nothing of this run behind.
      try {
        const live = (await driver.vms.findByTags(baseTags)).filter(isLive).map((v) => v.providerId);
        if (live.length) {
          await driver.vms.terminate(live);
          for (const id of live) await waitFor(id, 'Terminated');
        }
        if (keyMade) await driver.keys.deleteKeyPair(keyName);
        if (net) await driver.network.deleteDefault(net);
      } finally {
        driver.close();
        await t.cleanup();
      }
    }, 600_000);

    it('answers ping', async () => {
      const p = await driver.ping();
      expect(p.latencyMs).toBeGreaterThanOrEqual(0);
      expect(typeof p.region).toBe('string');
    });

    it('lists its region and specs, and resolves an image alias; an unknown image is a UsageError', async () => {
      const regions = await driver.catalog.listRegions();
      const { region } = await driver.ping();
      const here = regions.find((r) => r.name === region);
      expect(here?.zones.length).toBeGreaterThan(0);
      const specs = await driver.catalog.listSpecs();
      expect(specs.length).toBeGreaterThan(0);
      // A GPU, where a spec has one, in the shape every driver fills: a model and a count.
      for (const s of specs.filter((x) => x.gpu)) {
        expect(s.gpu?.model, s.name).toMatch(/\S/);
        expect(s.gpu?.count, s.name).toBeGreaterThan(0);
      }
      spec =
        t.spec ??
        specs
          .filter((s) => s.arch === 'x86_64' && s.vcpu > 0 && !s.gpu)
          .sort((a, b) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB)[0]!.name;
      image = await driver.catalog.resolveImage(t.image ?? 'ubuntu-22.04');
      expect(image.id).toBeTruthy();
      expect(image.sshUser).toBe(t.sshUser ?? ((t.image ?? 'ubuntu-22.04').startsWith('debian') ? 'admin' : 'ubuntu'));
      await expect(driver.catalog.resolveImage('no-such-os-1.0')).rejects.toThrow(UsageError);
    });

    it('ensures the default network, and a second call adopts the same one', async () => {
      net = await driver.network.ensureDefault({ name: netName, tags: baseTags });
      expect(net.networkId && net.subnetId && net.securityGroupId).toBeTruthy();
      const again = await driver.network.ensureDefault({ name: netName, tags: baseTags });
      expect(again).toEqual(net);
      // findDefault sees the same pieces without making anything (connection cleanup relies on it).
      const found = await driver.network.findDefault({ name: netName, tags: baseTags });
      expect([found?.networkId, found?.subnetId, found?.securityGroupId]).toEqual([net.networkId, net.subnetId, net.securityGroupId]);
    }, 120_000);

    it('imports the key pair, and a second call adopts it', async () => {
      const a = await driver.keys.ensureKeyPair({ name: keyName, publicKey: key.public, tags: baseTags });
      keyMade = true;
      const b = await driver.keys.ensureKeyPair({ name: keyName, publicKey: key.public, tags: baseTags });
      expect(a).toEqual({ keyName });
      expect(b).toEqual(a);
      // EC2 and ECS keep key pairs as resources; GCE and Azure put the key into each VM.
      expect(await driver.keys.hasKeyPair(keyName)).toBe(t.keyPairResources ?? driver.provider === 'aws');
    });

    it('creates one VM; the same client token returns the same VM', async () => {
      const req = {
        name: 'web-1',
        spec,
        imageId: image.id,
        network: net!,
        keyName,
        publicKey: key.public,
        sshUser: image.sshUser,
        clientToken: `contract-${run}-web-1`,
        tags: vmTags,
      };
      vm = await driver.vms.create(req);
      const again = await driver.vms.create(req);
      expect(again.providerId).toBe(vm.providerId);
      const mine = (await driver.vms.findByTags(baseTags)).filter(isLive);
      expect(mine.map((v) => v.providerId)).toEqual([vm.providerId]);
      expect(mine[0]!.tags).toMatchObject(vmTags);
    }, 120_000);

    it(
      'reaches Running with a public IP and answers SSH',
      async () => {
        vm = await waitFor(vm.providerId, 'Running', true);
        expect(vm.spec).toBe(spec);
        const r = await sshRun(vm, 'uname -a');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/\S/);
      },
      step(),
    );

    it(
      'suspends to Suspended and resumes to Running',
      async () => {
        await driver.vms.suspend([vm.providerId]);
        await waitFor(vm.providerId, 'Suspended');
        await driver.vms.resume([vm.providerId]);
        // The public IP may change across stop/start on a real cloud: take the new one.
        vm = await waitFor(vm.providerId, 'Running', true);
        expect((await sshRun(vm, 'echo back')).stdout.trim()).toBe('back');
      },
      3 * step(),
    );

    it(
      'reboots back to Running and SSH, with its processes restarted',
      async () => {
        // A reboot ends every process; a no-op would leave this one running.
        const marker = `sleep ${600_000 + randomBytes(3).readUIntBE(0, 3)}`;
        const running = `ps -eo args= | grep -qx '${marker}'`;
        await sshRun(vm, `nohup ${marker} >/dev/null 2>&1 &`);
        expect((await sshRun(vm, running)).code).toBe(0);
        await driver.vms.reboot([vm.providerId]);
        await poll(
          async () => (await sshRun(vm, running)).code,
          (code): Acceptance<number> => (code === 1 ? { state: 'success', value: code } : { state: 'retry' }),
          { maxWaitMs, minDelayMs: 200, maxDelayMs: 2_000, what: 'the reboot to end the marker process' },
        );
        vm = await waitFor(vm.providerId, 'Running', true);
        expect((await sshRun(vm, 'echo up')).code).toBe(0);
      },
      3 * step(),
    );

    it(
      'terminates to Terminated',
      async () => {
        await driver.vms.terminate([vm.providerId]);
        await waitFor(vm.providerId, 'Terminated');
        // Terminating again (already gone, or gone from the listing) is fine.
        await driver.vms.terminate([vm.providerId]);
      },
      step(),
    );

    it(
      'deletes the key pair and the network, twice without error, leaving nothing of ours',
      async () => {
        // The look-behind sees our tagged resources before the delete, so "empty" after it means something.
        if (t.leftovers) expect((await t.leftovers(baseTags)).length).toBeGreaterThan(0);
        await driver.keys.deleteKeyPair(keyName);
        await driver.keys.deleteKeyPair(keyName);
        keyMade = false;
        await driver.network.deleteDefault(net!);
        await driver.network.deleteDefault(net!);
        net = undefined;
        expect(await driver.network.findDefault({ name: netName, tags: baseTags })).toBeUndefined();
        expect(await driver.keys.hasKeyPair(keyName)).toBe(false);
        expect((await driver.vms.findByTags(baseTags)).filter(isLive)).toEqual([]);
        if (t.leftovers) expect(await t.leftovers(baseTags)).toEqual([]);
      },
      step(),
    );
  });
}
