/**
 * Pseudo-terminals without native modules: util-linux `script` allocates a real pty, runs a command on
 * it and relays it over plain pipes, which is all an SSH channel needs. Where `script` is missing we fall
 * back to an interactive shell on pipes (no job control, no line editing, but usable).
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { descendantsOf, listProcesses, ttyOf } from './proc.js';

const SCRIPT_CANDIDATES = ['/usr/bin/script', '/bin/script'];

let scriptPath: string | null | undefined;

/** Path of util-linux `script` if it is installed and supports the flags we use, else null. */
export function findScript(): string | null {
  if (scriptPath !== undefined) return scriptPath;
  scriptPath = null;
  for (const candidate of SCRIPT_CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      // BusyBox and BSD `script` take other flags; only util-linux's is known to work here.
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8', timeout: 5_000 });
      if (!version.includes('util-linux')) continue;
      scriptPath = candidate;
      break;
    } catch {
      // try the next one
    }
  }
  return scriptPath;
}

export interface PtySize {
  rows: number;
  cols: number;
}

/** Quotes a string for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function sttySize(size: PtySize): string {
  const rows = Math.trunc(size.rows);
  const cols = Math.trunc(size.cols);
  return rows > 0 && cols > 0 ? `stty rows ${rows} cols ${cols} 2>/dev/null; ` : '';
}

/**
 * argv that runs `command` (or an interactive shell when undefined) on a fresh pty of the given size.
 * The user's command travels in an environment variable, so nothing in it is ever re-quoted.
 * `script -e` returns the command's exit status (128+n when it died of signal n).
 */
export function ptyArgv(
  script: string,
  command: string | undefined,
  size: PtySize,
): { file: string; args: string[]; env: Record<string, string> } {
  const inner =
    command === undefined
      ? `${sttySize(size)}exec /bin/sh -i`
      : `${sttySize(size)}__cb_cmd=$CB_TWIN_PTY_COMMAND; unset CB_TWIN_PTY_COMMAND; exec /bin/sh -c "$__cb_cmd"`;
  return {
    file: script,
    args: ['-q', '-f', '-e', '-c', inner, '/dev/null'],
    env: command === undefined ? {} : { CB_TWIN_PTY_COMMAND: command },
  };
}

/** The pty device of the process `script` (pid) runs, found through /proc; undefined if not (yet) known. */
export function findPtyDevice(scriptPid: number): string | undefined {
  const procs = listProcesses();
  if (!procs) return undefined;
  // Below `script` directly, or below nsenter and its child for an isolated VM.
  for (const child of descendantsOf(scriptPid, procs, 3)) {
    const tty = ttyOf(child.pid);
    if (tty) return tty;
  }
  return undefined;
}

/**
 * Sets the window size of a pty from outside; the kernel then sends SIGWINCH to its foreground group.
 * Best effort: resolves either way.
 */
export function resizePty(device: string, size: PtySize): Promise<void> {
  const rows = Math.trunc(size.rows);
  const cols = Math.trunc(size.cols);
  if (!(rows > 0 && cols > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn('stty', ['-F', device, 'rows', String(rows), 'cols', String(cols)], {
      stdio: 'ignore',
    });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}
