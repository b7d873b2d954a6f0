/**
 * A VM's processes: PID 1 of its own network, mount, UTS, IPC and PID namespaces (made by the
 * twin's helper, helper.py.ts, with the VM's private link and firewall), and commands entered
 * into all of them with `nsenter`.
 */
import { descendantsOf, rssOf, type ProcInfo } from '../../ssh/proc.js';
import type { BootSpec, NsHelper } from './helper.js';
import { tool } from './sh.js';

export interface MachineSpec {
  /** The VM's network namespace (under /run/netns): booting makes it, halting removes it. */
  netns: string;
  /** The VM's disk on the host: its private directories live here and survive a stop. */
  diskDir: string;
  user: string;
  hostname: string;
  /** Host paths (below /tmp, /root or /home) the VM must still see at the same path. */
  keep: string[];
  rules: BootSpec['rules'];
  private?: BootSpec['private'];
}

export class Machine {
  private halted: Promise<void> | undefined;

  private constructor(
    private readonly helper: NsHelper,
    /** Host pid of the VM's PID 1. */
    readonly pid: number,
    readonly spec: MachineSpec,
  ) {}

  static async boot(helper: NsHelper, spec: MachineSpec): Promise<Machine> {
    const { netns, diskDir, ...rest } = spec;
    const pid = await helper.boot({ ns: netns, disk: diskDir, ...rest });
    return new Machine(helper, pid, spec);
  }

  /** argv that runs `file args` inside the VM, in `cwd` (a path as the VM sees it). */
  wrap(file: string, args: string[], cwd: string): { file: string; args: string[] } {
    // --wdns: the directory as the VM sees it, entered after the mount namespace (--wd is the host's).
    return { file: tool('nsenter') ?? 'nsenter', args: ['-t', String(this.pid), '-m', '-u', '-i', '-n', '-p', `--wdns=${cwd}`, '--', file, ...args] };
  }

  /** Resident memory (kB) of the VM's processes: PID 1 and all below it. */
  rssKb(procs: ProcInfo[]): number {
    const pids = [this.pid, ...descendantsOf(this.pid, procs, 64).map((p) => p.pid)];
    return pids.reduce((sum, pid) => sum + rssOf(pid), 0);
  }

  /** Kills every process of the VM (PID 1: the kernel kills the rest of its namespace) and removes its network namespace. */
  halt(): Promise<void> {
    this.halted ??= this.helper.halt(this.pid, this.spec.netns);
    return this.halted;
  }
}

