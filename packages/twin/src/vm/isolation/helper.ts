/**
 * The twin's one helper process for the work isolation does inside namespaces (helper.py.ts):
 * a VM's PID 1 with its namespaces, mounts, links and firewall; its public link; firewall
 * updates; halting it; listening sockets inside its network namespace. Asked over Node's IPC
 * channel, it spawns no process per VM: booting one is a fork, a few netlink messages, one
 * libnftables transaction and a dozen mount calls, where it was some twenty processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { HELPER_PY } from './helper.py.js';
import { rssOf } from '../../ssh/proc.js';
import { NETLINK_PY } from './netlink.py.js';
import { tool } from './sh.js';

/** What a VM's PID 1 is made from (see `boot` in helper.py.ts). */
export interface BootSpec {
  /** Its network namespace's name under /run/netns (the helper makes it). */
  ns: string;
  disk: string;
  user: string;
  hostname: string;
  keep: string[];
  /** Its first nftables ruleset, loaded before anything in it is reachable. */
  rules: string;
  /** Its `eth0`: the address, and the fabric end `veth` made on `bridge` in namespace `fabric`. */
  private?: { ip: string; prefix: number; veth: string; fabric: string; bridge: string };
}

/** A step the helper failed at; `taken` when the address to publish is routed already. */
export class HelperError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    readonly taken: boolean,
  ) {
    super(message);
  }
}

interface Reply {
  id: number;
  error?: string;
  errno?: number;
  taken?: boolean;
  pid?: number;
}

interface Pending {
  resolve(reply: Reply, handle?: Server): void;
  reject(e: Error): void;
}

export class NsHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private err = '';
  /**
   * The VM's PID 1 once it is built: a shell that waits on a sleep for ever, and as it waits reaps
   * the orphans of its PID namespace (a killed daemon, a session's leftovers), as an init does.
   */
  private readonly init = [tool('sh') ?? '/bin/sh', '-c', 'while :; do "$0" infinity; done', tool('sleep') ?? '/bin/sleep'];

  private constructor(python: string) {
    const child = spawn(python, ['-I', '-c', NETLINK_PY + HELPER_PY, String(process.pid)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    child.stderr?.on('data', (d: Buffer) => (this.err = (this.err + d.toString()).slice(-2000)));
    child.on('message', (m: Reply, handle?: Server) => {
      const p = this.pending.get(m.id);
      if (!p) return handle?.close();
      this.pending.delete(m.id);
      p.resolve(m, handle);
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.rejectAll(`the isolation helper ended (${why})${this.err ? `: ${this.err.trim()}` : ''}`);
    };
    child.once('error', (e) => gone(e.message));
    child.once('exit', (code, signal) => gone(`exit ${code ?? signal}`));
    // It must not keep the twin alive: it ends when the twin closes the channel (or dies).
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.child = child;
  }

  /** The helper, answering: throws when Python cannot run it here. */
  static async start(python: string): Promise<NsHelper> {
    const helper = new NsHelper(python);
    try {
      await helper.ask({ op: 'ping' });
    } catch (e) {
      helper.close();
      throw e;
    }
    return helper;
  }

  /** Host pid of the helper, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resident memory (kB) of the helper itself (shared by every VM). */
  rssKb(): number {
    return rssOf(this.pid ?? -1);
  }

  /** A VM's PID 1 in its own namespaces, its network namespace bound at /run/netns/<ns>; its host pid. */
  async boot(spec: BootSpec): Promise<number> {
    const reply = await this.ask({ op: 'boot', ...spec, init: this.init }, "cannot boot the VM's namespaces");
    if (typeof reply.pid !== 'number') throw new Error("cannot boot the VM's namespaces: no PID 1");
    return reply.pid;
  }

  /** `publicIp` routed from the host to the VM's `eth1` over host link `link`, `ranges` routed out of it via `host`. */
  async publish(o: { ns: string; link: string; ip: string; host: string; ranges: string[] }): Promise<void> {
    await this.ask({ op: 'publish', ...o }, 'cannot publish the VM');
  }

  /** Removes host link `link` (and the VM's `eth1` with it); gone already is fine. */
  async unpublish(link: string): Promise<void> {
    await this.ask({ op: 'unpublish', link }, 'cannot unpublish the VM');
  }

  /** Loads nftables `rules` (one transaction) in network namespace `ns`. */
  async nft(ns: string, rules: string): Promise<void> {
    await this.ask({ op: 'nft', ns, rules }, "cannot write the VM's firewall");
  }

  /** Kills PID 1 `pid` (so every process of its VM), then removes network namespace `ns`. */
  async halt(pid: number, ns: string): Promise<void> {
    await this.ask({ op: 'halt', pid, ns }, 'cannot halt the VM');
  }

  /** A socket listening on `host:port` inside network namespace `ns`. */
  async listen(ns: string, host: string, port: number): Promise<Server> {
    let server: Server | undefined;
    // No `code` on failure: a port taken inside the VM is not the public address being taken.
    await this.ask({ op: 'listen', ns, host, port }, "cannot listen in the VM's network namespace", (h) => (server = h));
    if (!server) throw new Error(`cannot listen in the VM's network namespace ${ns}: no socket`);
    return server;
  }

  private ask(request: Record<string, unknown>, what = 'the isolation helper', onHandle?: (h: Server) => void): Promise<Reply> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error(`${what}: the isolation helper is not running${this.err ? `: ${this.err.trim()}` : ''}`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply, handle) => {
          if (handle && onHandle) onHandle(handle);
          else handle?.close();
          if (reply.error) reject(new HelperError(`${what}: ${reply.error}`, reply.errno ?? 0, reply.taken === true));
          else resolve(reply);
        },
        reject,
      });
      child.send({ ...request, id }, (e) => {
        if (!e) return;
        this.pending.delete(id);
        reject(e);
      });
    });
  }

  private rejectAll(why: string): void {
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
  }

  /** Ends the helper; PID 1s it still has die with it. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    this.rejectAll('the isolation helper was closed');
    if (child?.connected) child.disconnect();
    child?.kill('SIGKILL');
  }
}
