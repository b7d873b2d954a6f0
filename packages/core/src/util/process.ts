import { readFileSync } from 'node:fs';

/**
 * Whether `pid` runs (EPERM: it runs, as another user). A zombie does not: it has exited and only
 * waits for its parent to reap it, which for a daemon (the twin, a collector) is init, and some
 * inits reap only every second or so.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/** State `Z` in /proc/PID/stat (after the command name, which may hold spaces and parentheses). */
function zombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // no /proc (macOS): signal 0 is all there is
  }
  return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
}
