/**
 * VMs without a cloud: Cloud-Twin's VM SSH servers (real SSH, real /bin/sh, this machine's /proc) on
 * loopback addresses, recorded as an MCIS in a temp CB_HOME the way cbadm records twin VMs. For
 * tests of the agent, the store and the collector that need no EC2 emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSshKeyPair, writeKeyPair, type Mcis, type Vm } from '@cloud-barista/core';
// Tests only: cbmon's product code never imports twin.
import { generateHostKey, startVmSshServer, type VmSshServer } from '../../twin/src/ssh/vm-ssh-server.js';
import { openMon, type Mon } from '../src/mon.js';
import { Collector, type CollectorOptions } from '../src/collector/collector.js';
import type { VmScope } from '../src/scope.js';
import type { Selector } from '@cloud-barista/agent/targets';
import { freePort } from '../../../test-support/net.js';

export interface FixtureVm {
  name: string;
  subgroup: string;
  host: string;
  port: number;
  home: string;
  env: Record<string, string>;
  /** A command prefix its commands run under (`ip netns exec NS …`): namespaces of their own, as on a VM. */
  enter?: string[];
  server?: VmSshServer;
}

export class VmFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'cbmon-fx-'));
  readonly home = join(this.dir, 'cb-home');
  readonly vms: FixtureVm[] = [];
  private publicKey = '';
  private readonly hostKey = generateHostKey().privateKey;
  mon!: Mon;
  private readonly collectors: Collector[] = [];
  /** The MCIS `start` recorded. */
  mcis = '';

  /** What agent jobs and checks take to reach some of the fixture's VMs. */
  scope(selector: Selector = {}): VmScope {
    return { core: this.mon.core, store: this.mon.store, ns: 'default', mcis: this.mcis, selector };
  }

  /** A collector on this fixture's store that pulls, and takes pushes on a loopback port; stopped by dispose(). */
  collector(opts: Partial<CollectorOptions> = {}): Collector {
    const c = new Collector({
      core: this.mon.core,
      store: this.mon.store,
      listen: { host: '127.0.0.1', port: 0 },
      flushMs: 100,
      syncMs: 500,
      statsMs: 500,
      log: () => undefined,
      ...opts,
    });
    this.collectors.push(c);
    return c;
  }

  /** Starts `specs.length` VMs of MCIS `mcis` (ns default) and records them. */
  async start(
    mcis: string,
    specs: Array<{ name: string; subgroup?: string; env?: Record<string, string>; enter?: string[] }>,
  ): Promise<this> {
    this.mon = openMon({ home: this.home });
    this.mcis = mcis;
    this.publicKey = writeKeyPair(this.mon.core.home.keys, 'fx', generateSshKeyPair('cbmon-test')).publicKey;
    const now = new Date().toISOString();
    const subgroups = [...new Set(specs.map((s) => s.subgroup ?? 'web'))];
    const record: Mcis = {
      ns: 'default',
      name: mcis,
      labels: {},
      subgroups: subgroups.map((name) => ({
        name,
        connection: 'fx',
        count: specs.filter((s) => (s.subgroup ?? 'web') === name).length,
        spec: 't3.micro',
        image: 'ubuntu-22.04',
      })),
      policy: { onFailure: 'continue' },
      createdAt: now,
      updatedAt: now,
    };
    this.mon.core.store.createMcis(record);
    const octet = () => 1 + Math.floor(Math.random() * 253);
    for (const s of specs) {
      const host = `127.81.${octet()}.${octet()}`;
      const vm: FixtureVm = {
        name: s.name,
        subgroup: s.subgroup ?? 'web',
        host,
        port: await freePort(host),
        home: join(this.dir, 'vms', s.name),
        env: s.env ?? {},
        ...(s.enter ? { enter: s.enter } : {}),
      };
      this.vms.push(vm);
      await this.boot(vm);
      const rec: Vm = {
        name: vm.name,
        subgroup: vm.subgroup,
        connection: 'fx',
        provider: 'aws',
        region: 'ap-northeast-2',
        spec: 't3.micro',
        image: 'ubuntu-22.04',
        status: 'Running',
        clientToken: `fx-${vm.name}`,
        providerId: `i-${vm.name}`,
        publicIp: host,
        sshPort: vm.port,
        sshUser: 'ubuntu',
        createdAt: now,
        updatedAt: now,
      };
      this.mon.core.store.putVm('default', mcis, rec);
    }
    return this;
  }

  vm(name: string): FixtureVm {
    const vm = this.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`no fixture VM ${name}`);
    return vm;
  }

  /** Starts (again) the VM's SSH server; its home dir, and so the agent's ring, survive. */
  async boot(vm: FixtureVm): Promise<void> {
    vm.server = await startVmSshServer({
      host: vm.host,
      port: vm.port,
      hostKey: this.hostKey,
      authorizedKeys: [this.publicKey],
      homeDir: vm.home,
      user: 'ubuntu',
      env: vm.env,
      ...(vm.enter
        ? {
            inside: {
              home: vm.home,
              wrap: (file: string, args: string[]) => ({ file: vm.enter![0]!, args: [...vm.enter!.slice(1), file, ...args] }),
            },
          }
        : {}),
    });
  }

  /** What a VM stop does: every process it runs is killed and SSH refuses connections. */
  async halt(vm: FixtureVm): Promise<void> {
    await vm.server?.close();
    vm.server = undefined;
  }

  setStatus(mcis: string, name: string, status: Vm['status']): void {
    this.mon.core.store.updateVm('default', mcis, name, (v) => ({ ...v, status }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.stop()));
    await Promise.all(this.vms.map((v) => this.halt(v)));
    await this.mon?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
