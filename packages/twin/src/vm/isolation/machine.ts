/**
 * A VM's processes: PID 1 of its own mount, UTS, IPC and PID namespaces inside its network
 * namespace (see init.sh.ts), commands entered into all of them with `nsenter`, and listening
 * sockets made inside its network namespace (see listen-helper.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { childrenOf, descendantsOf, listProcesses, signalProcess, type ProcInfo } from '../../ssh/proc.js';
import { INIT_SCRIPT } from './init.sh.js';
import { tool } from './sh.js';

const HELPER = fileURLToPath(new URL('./listen-helper.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export interface MachineSpec {
  /** The VM's network namespace (under /run/netns). */
  netns: string;
  /** The VM's disk on the host: its private directories live here and survive a stop. */
  diskDir: string;
  user: string;
  hostname: string;
  /** Host paths (below /tmp, /root or /home) the VM must still see at the same path. */
  keep: string[];
}

export class Machine {
  private constructor(
    private readonly init: ChildProcess,
    /** Host pid of the VM's PID 1. */
    readonly pid: number,
    readonly spec: MachineSpec,
  ) {}

  static async boot(spec: MachineSpec): Promise<Machine> {
    const nsenter = tool('nsenter') ?? 'nsenter';
    const unshare = tool('unshare') ?? 'unshare';
    // If the twin dies (even by SIGKILL) unshare gets SIGKILL, and takes PID 1 (so the whole VM)
    // with it; the namespaces and links stay until the next `twin up` removes them.
    const argv = ['--pdeathsig', 'SIGKILL', '--', nsenter, `--net=/run/netns/${spec.netns}`, '--', unshare, '--kill-child=SIGKILL', '--mount', '--uts', '--ipc', '--pid', '--fork', '--propagation', 'private', '--', '/bin/sh', '-c', INIT_SCRIPT];
    const child = spawn(tool('setpriv') ?? 'setpriv', argv, {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CB_DISK: spec.diskDir, CB_USER: spec.user, CB_HOSTNAME: spec.hostname, CB_KEEP: spec.keep.join('\n') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error('timed out')), READY_TIMEOUT_MS);
      const fail = (e: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`cannot boot the VM's namespaces: ${e.message}${err ? `: ${err.trim()}` : ''}`));
      };
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`init exited ${code}`)));
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (!out.includes('ready\n')) return;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        resolve();
      });
    });
    child.stdout?.resume();
    // setpriv exec'd nsenter, which exec'd unshare, which forked PID 1: the one child of the process we started.
    const pid = onlyChild(child.pid ?? -1);
    if (pid === undefined) {
      child.kill('SIGKILL');
      throw new Error("cannot boot the VM's namespaces: PID 1 not found");
    }
    return new Machine(child, pid, spec);
  }

  /** argv that runs `file args` inside the VM, in `cwd` (a path as the VM sees it). */
  wrap(file: string, args: string[], cwd: string): { file: string; args: string[] } {
    // nsenter opens --wd before it enters the mount namespace: env changes directory inside.
    return { file: tool('nsenter') ?? 'nsenter', args: ['-t', String(this.pid), '-m', '-u', '-i', '-n', '-p', '--', '/usr/bin/env', `--chdir=${cwd}`, file, ...args] };
  }

  /** Resident memory (kB) of the VM's processes: the unshare that waits for PID 1, PID 1 and all below it. */
  rssKb(procs: ProcInfo[]): number {
    const pids = [this.init.pid ?? -1, this.pid, ...descendantsOf(this.pid, procs, 64).map((p) => p.pid)];
    return pids.reduce((sum, pid) => sum + rssOf(pid), 0);
  }

  /** Kills every process of the VM (PID 1 first: the kernel kills the rest of its namespace). */
  async halt(): Promise<void> {
    signalProcess(this.pid, 'SIGKILL');
    if (this.init.exitCode !== null || this.init.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.init.once('exit', () => resolve());
      this.init.kill('SIGKILL');
    });
  }
}

/**
 * The child of `pid`, from its `children` file (no scan of /proc: with hundreds of VMs booting at
 * once, reading every process's stat for each blocked the twin for seconds).
 */
function onlyChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    if (first) return Number(first);
  } catch {
    // a kernel without CONFIG_PROC_CHILDREN: scan
  }
  return childrenOf(pid, listProcesses() ?? [])[0]?.pid;
}

function rssOf(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Listening TCP sockets made inside network namespace `netns`, one per spec, in that order. */
export function listenIn(netns: string, specs: Array<{ host: string; port: number }>): Promise<Server[]> {
  const child = spawn(tool('nsenter') ?? 'nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, HELPER, JSON.stringify(specs)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const servers: Server[] = [];
    let got = 0;
    const fail = (why: string) => {
      for (const s of servers) s?.close();
      child.kill('SIGKILL');
      reject(new Error(`cannot listen in the VM's network namespace: ${why}${err ? `: ${err.trim()}` : ''}`));
    };
    child.on('message', (m: { index: number; error?: string }, handle?: Server) => {
      if (m.error || !handle) return fail(m.error ?? 'no socket');
      servers[m.index] = handle;
      if (++got < specs.length) return;
      child.disconnect();
      resolve(servers);
    });
    child.once('error', (e) => fail(e.message));
    // The channel closes after its last message: a helper that ends early fails here, not before
    // a message still on its way.
    child.once('disconnect', () => {
      if (got < specs.length) fail(`helper ended (exit ${child.exitCode ?? 'pending'})`);
    });
  });
}
