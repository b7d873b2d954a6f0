/**
 * The OpenSSH command line equivalent to what the executor does, for `cbadm mcis ssh --print` and for
 * users who want their own ssh: same key, same known_hosts file, strict host key checking.
 */
import type { SshTarget } from './executor.js';

export interface OpensshArgsOptions {
  /** Remote command; omitted for an interactive login. */
  command?: string;
  /** Force a pty (`-t`), e.g. for an interactive command. */
  tty?: boolean;
}

/**
 * argv of a working OpenSSH invocation, starting with `ssh`:
 * `ssh -i KEY -p PORT -o UserKnownHostsFile=… -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -l USER -- HOST`.
 * StrictHostKeyChecking=yes is safe because the executor pins the host key (probe) before anyone
 * needs this line; a not-yet-pinned host is refused rather than trusted blindly.
 */
export function opensshArgs(
  target: SshTarget,
  knownHostsPath: string,
  opts: OpensshArgsOptions = {},
): string[] {
  return [
    'ssh',
    ...(opts.tty ? ['-t'] : []),
    '-i',
    target.privateKeyPath,
    '-p',
    String(target.port),
    '-o',
    `UserKnownHostsFile=${knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'IdentitiesOnly=yes',
    // The user as the value of -l and the host after `--`: neither can be read as an option
    // (a user '-oProxyCommand=…' would otherwise run a command here).
    '-l',
    target.user,
    '--',
    target.host,
    ...(opts.command !== undefined ? [opts.command] : []),
  ];
}

/** Quotes one word for a POSIX shell; plain words stay as they are. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line a user can paste into a shell. */
export function formatCommandLine(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}
