/**
 * System tools some tests drive for real (shellcheck, kubectl, busybox, prometheus, the aws CLI…).
 * On a developer's machine a missing tool skips those checks with a note; under CI=true it fails
 * the run instead, so a check that never ran can never pass as green.
 */
import { spawnSync } from 'node:child_process';

/** The tool's path when `command -v` finds it; else undefined (outside CI) or a thrown error (in CI). */
export function optionalTool(bin: string, install: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', bin], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  if (path) return path;
  const why = `the ${bin} binary is missing (${install})`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}: tests that need it must run in CI`);
  process.stderr.write(`SKIP checks that need ${bin}: ${why}\n`);
  return undefined;
}

/** Root is needed (network namespaces, port 22): the same rule as a missing tool. */
export function needsRoot(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true and not root: ${what} must run in CI`);
  process.stderr.write(`SKIP ${what}: needs root\n`);
  return false;
}
