/**
 * Entry point of the simulated `kubeadm`, `kubectl` and `curl` on a node-runtime VM: forwards the
 * command line to the twin, which keeps the simulated cluster, and relays its output and exit code.
 * Runs as its own process on the VM (spawned by the shell scripts in ./shims.ts).
 */
import { request } from 'node:http';
import type { RunRequest, RunResponse } from './protocol.js';

/** node:http, not fetch: loading fetch's implementation costs every call a third more start-up time. */
function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${process.env.CB_TWIN_NODE_TOKEN ?? ''}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<number> {
  const [command = '', ...args] = process.argv.slice(2);
  const url = process.env.CB_TWIN_URL;
  const instanceId = process.env.CB_TWIN_INSTANCE_ID;
  const sysroot = process.env.CB_SYSROOT;
  if (!url || !instanceId || !sysroot) {
    process.stderr.write(
      `${command}: not on a Cloud-Twin node-runtime VM (CB_TWIN_URL/CB_TWIN_INSTANCE_ID/CB_SYSROOT unset)\n`,
    );
    return 127;
  }
  const body: RunRequest = {
    instanceId,
    command,
    args,
    cwd: process.cwd(),
    ...(process.env.KUBECONFIG ? { kubeconfig: process.env.KUBECONFIG } : {}),
  };
  const res = await post(`${url}/_twin/k8s/run`, JSON.stringify(body));
  if (res.status !== 200) {
    process.stderr.write(`${command}: the twin answered ${res.status}: ${res.text}\n`);
    return 1;
  }
  const out = JSON.parse(res.text) as RunResponse;
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
