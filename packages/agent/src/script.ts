/**
 * The agent's source, shipped in the package as `agent/cbmon-agent.sh` (a real file, so shellcheck
 * and humans can read it) and sent to VMs over SSH.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the agent script in this package. */
export const AGENT_SCRIPT_PATH = fileURLToPath(new URL('../agent/cbmon-agent.sh', import.meta.url));

let cached: string | undefined;

export function agentScript(): string {
  cached ??= readFileSync(AGENT_SCRIPT_PATH, 'utf8');
  return cached;
}

/** The version stamped in the script (`CBMON_AGENT_VERSION=…`). */
export function agentVersion(script = agentScript()): string {
  const m = /^CBMON_AGENT_VERSION=(\S+)$/m.exec(script);
  if (!m) throw new Error(`${AGENT_SCRIPT_PATH}: no CBMON_AGENT_VERSION line`);
  return m[1]!;
}
