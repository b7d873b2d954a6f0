/**
 * Entry point of the simulated `kubeadm`, `kubectl` and `curl` on a node-runtime VM: forwards the
 * command line to the twin, which keeps the simulated cluster, and relays its output and exit code.
 * Runs as its own process on the VM (spawned by the shell scripts in ./shims.ts).
 */
import type { RunRequest, RunResponse } from './protocol.js';

async function main(): Promise<number> {
  const [command = '', ...args] = process.argv.slice(2);
  const url = process.env.CB_TWIN_URL;
  const instanceId = process.env.CB_TWIN_INSTANCE_ID;
  const sysroot = process.env.CB_SYSROOT;
  if (!url || !instanceId || !sysroot) {
    process.stderr.write(`${command}: not on a Cloud-Twin node-runtime VM (CB_TWIN_URL/CB_TWIN_INSTANCE_ID/CB_SYSROOT unset)\n`);
    return 127;
  }
  const body: RunRequest = {
    instanceId,
    command,
    args,
    cwd: process.cwd(),
    ...(process.env.KUBECONFIG ? { kubeconfig: process.env.KUBECONFIG } : {}),
  };
  const res = await fetch(`${url}/_twin/k8s/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) {
    process.stderr.write(`${command}: the twin answered ${res.status}: ${await res.text()}\n`);
    return 1;
  }
  const out = (await res.json()) as RunResponse;
  await new Promise<void>((r) => process.stdout.write(out.stdout, () => r()));
  await new Promise<void>((r) => process.stderr.write(out.stderr, () => r()));
  return out.code;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cloud-twin node runtime: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
