/**
 * SshExecutor's tests against Cloud-Twin's VM SSH server: VMs on random loopback addresses that
 * accept one client key, and executors with a known_hosts file each; what a test starts is closed
 * after it, the directory after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
// Tests only: core's product code never imports twin.
import { generateHostKey, startVmSshServer, type VmSshServer } from '../../twin/src/ssh/vm-ssh-server.js';
import { SshExecutor, type SshTarget } from '../src/ssh/executor.js';
import { generateSshKeyPair, writeKeyPair } from '../src/ssh/keys.js';
import { freePort, randomLoopback } from '../../../test-support/net.js';

export interface BedVm {
  target: SshTarget;
  server: VmSshServer;
  home: string;
  name: string;
}

export class SshBed {
  dir = '';
  /** The client key every VM accepts unless told otherwise. */
  keyPath = '';
  publicKey = '';
  private count = 0;
  private readonly servers: VmSshServer[] = [];
  private readonly executors: SshExecutor[] = [];

  /** `loopbackSecond`: the 127.N.0.0/16 this file's VMs live in, apart from other files'. */
  constructor(prefix: string, private readonly loopbackSecond: number) {
    beforeAll(() => {
      this.dir = mkdtempSync(join(tmpdir(), prefix));
      const written = writeKeyPair(join(this.dir, 'keys'), 'twin', generateSshKeyPair('cb-test'));
      this.keyPath = written.privateKeyPath;
      this.publicKey = written.publicKey;
    });
    afterEach(async () => {
      await Promise.all(this.executors.splice(0).map((e) => e.close()));
      await Promise.all(this.servers.splice(0).map((s) => s.close()));
    });
    afterAll(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  randomAddress(): string {
    return randomLoopback(this.loopbackSecond);
  }

  /** A VM named vm-N (its CB_VM), home under the bed's directory. */
  async startVm(opts: { host?: string; port?: number; hostKey?: string; authorizedKeys?: string[] } = {}): Promise<BedVm> {
    const name = `vm-${++this.count}`;
    const host = opts.host ?? this.randomAddress();
    const port = opts.port ?? (await freePort(host));
    const home = join(this.dir, 'vms', name);
    const server = await startVmSshServer({
      host,
      port,
      hostKey: opts.hostKey ?? generateHostKey().privateKey,
      authorizedKeys: opts.authorizedKeys ?? [this.publicKey],
      homeDir: home,
      user: 'ubuntu',
      env: { CB_VM: name },
    });
    this.servers.push(server);
    return { target: { host, port, user: 'ubuntu', privateKeyPath: this.keyPath, label: name }, server, home, name };
  }

  executor(opts: { knownHostsPath?: string; maxConnections?: number } = {}): SshExecutor {
    const ex = new SshExecutor({
      knownHostsPath: opts.knownHostsPath ?? join(this.dir, `known_hosts_${++this.count}`),
      connectTimeoutMs: 5_000,
      ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
    });
    this.executors.push(ex);
    return ex;
  }
}
