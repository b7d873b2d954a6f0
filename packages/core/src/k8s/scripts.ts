/**
 * The bootstrap steps as shipped shell scripts (`packages/core/k8s-scripts/*.sh`, checked by
 * shellcheck). A step is sent on stdin as: lib.sh, then the step's variables, then the step; so
 * secrets (join token, CA hash, certificate key) travel inside the SSH channel only and never appear
 * in a command line, a log or an event.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXEC_SH_AS_ROOT, UNAVAILABLE_HERE } from '../exec/as-root.js';

export const STEPS = ['preflight', 'containerd', 'packages', 'init', 'cni', 'join-info', 'join', 'endpoint', 'kubectl', 'admin-conf', 'reset'] as const;
export type Step = (typeof STEPS)[number];

export const SCRIPTS_DIR = fileURLToPath(new URL('../../k8s-scripts/', import.meta.url));

const cache = new Map<string, string>();
function load(name: string): string {
  let text = cache.get(name);
  if (text === undefined) cache.set(name, (text = readFileSync(`${SCRIPTS_DIR}${name}.sh`, 'utf8')));
  return text;
}

/** Single-quotes a value for sh. */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The full text of a step: library, variables (exported), positional arguments, body. */
export function stepScript(step: Step, vars: Record<string, string>, args: string[] = []): string {
  const header = Object.entries(vars).map(([k, v]) => `export ${k}=${shQuote(v)}`);
  if (args.length) header.push(`set -- ${args.map(shQuote).join(' ')}`);
  return `${load('lib')}\n${header.join('\n')}\n${load(step)}`;
}

/**
 * Several steps in one SSH session (fewer handshakes when many nodes bootstrap at once). Each step
 * runs in its own subshell, as if sent alone; markers on stdout say which finished and which failed.
 */
export function stepsScript(steps: Array<[Step, Record<string, string>]>): string {
  return steps
    .map(([step, vars]) => `(
${stepScript(step, vars)}
) || { echo '${MARK}failed ${step}'; exit 1; }
echo '${MARK}done ${step}'
`)
    .join('');
}

export const MARK = '@@cb-step ';

/** Steps the markers in a stepsScript's output say finished. */
export function finishedSteps(stdout: string): string[] {
  return stdout.split('\n').flatMap((l) => (l.startsWith(`${MARK}done `) ? [l.slice(MARK.length + 5).trim()] : []));
}

/**
 * The command that runs a step read from stdin as root. On a Cloud-Twin VM without the simulated
 * node runtime it refuses: there `sudo` would be the twin host's own.
 */
export const STEP_LAUNCHER = [
  'if [ -n "${CB_TWIN_INSTANCE_ID:-}" ] && [ -z "${CB_TWIN_NODE_RUNTIME:-}" ]; then',
  `echo "this Cloud-Twin VM has no simulated node runtime: use an ubuntu-22.04 image for Kubernetes nodes" >&2; exit ${UNAVAILABLE_HERE}; fi;`,
  EXEC_SH_AS_ROOT,
].join(' ');

/** Parses `kubeadm join HOST:PORT --token T --discovery-token-ca-cert-hash H` (token create's output). */
export function parseJoinCommand(text: string): { endpoint: string; token: string; caHash: string } | undefined {
  const m = /kubeadm join (\S+) --token (\S+) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})/.exec(text);
  return m ? { endpoint: m[1]!, token: m[2]!, caHash: m[3]! } : undefined;
}
