/** Runs the host tools isolation is built on (ip, nft, nsenter, unshare) and reports their stderr. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian puts them; root's PATH has these but a test runner's may not. */
const SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** The absolute path of a system tool, or undefined when it is not installed. */
export function tool(name: string): string | undefined {
  return SBIN.map((dir) => `${dir}/${name}`).find((p) => existsSync(p));
}

export class ToolError extends Error {
  constructor(
    readonly argv: string[],
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim() || 'failed'}`);
  }
}

/** Runs `argv` (its first element a tool name), feeding `input` to stdin; resolves to stdout. */
export function run(argv: string[], input?: string): Promise<string> {
  const [name = '', ...args] = argv;
  const file = tool(name) ?? name;
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new ToolError(argv, stderr || err.message));
      else resolve(stdout);
    });
    // A tool may exit without reading its input; its exit status says what happened.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/** The synchronous form, for teardown at exit where nothing asynchronous runs any more. */
export function runSync(argv: string[]): string {
  const [name = '', ...args] = argv;
  return execFileSync(tool(name) ?? name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}
