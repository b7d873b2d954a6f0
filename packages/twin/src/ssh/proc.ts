/**
 * Process bookkeeping for the VM SSH servers: which processes a server started, and how to kill all of
 * them when the VM stops. Every session's child is spawned detached (its own session and process group),
 * so the group id names everything a command started, including `nohup … &` daemons that outlive the
 * SSH session, as they do on a real VM. On Linux /proc also lets us find descendants that moved to a new
 * session (the shell that `script` runs on its pseudo-terminal does).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';

export interface ProcInfo {
  pid: number;
  /** One-letter state; `Z` is a zombie, already dead and waiting for its parent to reap it. */
  state: string;
  ppid: number;
  pgrp: number;
  sid: number;
}

/** Every visible process, or null where /proc is not available (non-Linux). */
export function listProcesses(): ProcInfo[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const out: ProcInfo[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we were looking
    }
    // The command name is in parentheses and may itself contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0] ?? '?';
    const ppid = Number(rest[1]);
    const pgrp = Number(rest[2]);
    const sid = Number(rest[3]);
    if (Number.isInteger(ppid) && Number.isInteger(pgrp) && Number.isInteger(sid)) {
      out.push({ pid: Number(name), state, ppid, pgrp, sid });
    }
  }
  return out;
}

/** Children of `pid` (direct only), from a process list. */
export function childrenOf(pid: number, procs: ProcInfo[]): ProcInfo[] {
  return procs.filter((p) => p.ppid === pid);
}

/** Children, grandchildren… of `pid` down to `depth` generations, from a process list. */
export function descendantsOf(pid: number, procs: ProcInfo[], depth: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  let level = [pid];
  for (let d = 0; d < depth && level.length > 0; d++) {
    const next = procs.filter((p) => level.includes(p.ppid));
    out.push(...next);
    level = next.map((p) => p.pid);
  }
  return out;
}

/** The terminal device a process has on its stdin, e.g. `/dev/pts/4`, if any. */
export function ttyOf(pid: number): string | undefined {
  try {
    const target = readlinkSync(`/proc/${pid}/fd/0`);
    return target.startsWith('/dev/pts/') || target.startsWith('/dev/tty') ? target : undefined;
  } catch {
    return undefined;
  }
}

/** `kill` that ignores "no such process" (the target may have exited a moment ago). */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Normalizes an SSH signal name (`INT`, `SIGINT`) to a Node signal name, or undefined if unknown. */
export function toSignal(name: string): NodeJS.Signals | undefined {
  const upper = name.toUpperCase();
  const full = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  return full in constants.signals ? full : undefined;
}

/**
 * The process groups (= sessions, since children are spawned detached) one VM server started.
 * `killAll` is what a VM stop means: every tracked group and every descendant dies.
 */
export class ProcessTracker {
  private readonly leaders = new Set<number>();

  add(pid: number): void {
    this.leaders.add(pid);
  }

  /**
   * Forgets `leader` if its process group is empty, so a recycled pid is never killed by mistake.
   * One kill(0) probe, no /proc scan: this runs at the end of every session.
   */
  release(leader: number): void {
    try {
      process.kill(-leader, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') this.leaders.delete(leader);
    }
  }

  get size(): number {
    return this.leaders.size;
  }

  /** Sends `signal` to every tracked process group (a container's pause is SIGSTOP to all). */
  signalGroups(signal: NodeJS.Signals): void {
    for (const leader of this.leaders) signalProcess(-leader, signal);
  }

  /**
   * SIGKILLs every tracked group and every descendant, rescanning until nothing is left (a process
   * may fork while we kill), for at most a few rounds.
   */
  killAll(): void {
    if (this.leaders.size === 0) return;
    for (let round = 0; round < 10; round++) {
      const all = listProcesses();
      if (!all) {
        for (const leader of this.leaders) signalProcess(-leader, 'SIGKILL');
        break;
      }
      const procs = all.filter((p) => p.state !== 'Z');
      const victims = new Set<number>();
      for (const p of procs) {
        if (this.leaders.has(p.pgrp) || this.leaders.has(p.sid)) victims.add(p.pid);
      }
      // Descendants that left the group (setsid, a new pty session) still have us as an ancestor.
      let grew = true;
      while (grew) {
        grew = false;
        for (const p of procs) {
          if (!victims.has(p.pid) && victims.has(p.ppid)) {
            victims.add(p.pid);
            grew = true;
          }
        }
      }
      victims.delete(process.pid);
      if (victims.size === 0) break;
      for (const pid of victims) {
        const info = procs.find((p) => p.pid === pid);
        // Remember the sessions of escaped descendants too, so their own later children are found.
        if (info && info.sid !== process.pid && info.sid === info.pid) this.leaders.add(info.sid);
        signalProcess(pid, 'SIGKILL');
      }
      for (const leader of this.leaders) signalProcess(-leader, 'SIGKILL');
    }
  }
}

/** Resident memory (kB) of process `pid`; 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
