/**
 * The lifecycle every cloud's end-to-end test walks with two VMs of one subgroup: create (both
 * Running), exec on both as the image's login user, suspend, resume, terminate, delete (the
 * connection's defaults cleaned up). What the cloud's own API shows after a step is the test's
 * hook: each cloud suspends, and leaves nothing, in its own words.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CloudAudit, converged, expectExit } from './chaos.js';
import { type Cli, manifestYaml } from './harness.js';

type Vm = { name: string; publicIp: string | null; providerId: string | null; sshUser: string };
type Mcis = { status: string; vms: Vm[] };

/** The MCIS walked: two VMs of `spec` in `subgroup` on `connection`, logging in as `sshUser`. */
export interface WalkedMcis {
  mcis: string;
  connection: string;
  spec: string;
  subgroup: string;
  sshUser: string;
}

/** What the cloud's own view must show along the way. */
export interface CloudChecks {
  /** The provider id of each VM as the cloud forms it. */
  providerId?: RegExp;
  afterCreate?(): Promise<void>;
  afterSuspend?(): Promise<void>;
  afterDelete?(): Promise<void>;
}

export async function walkLifecycle(cli: Cli, w: WalkedMcis, checks: CloudChecks): Promise<void> {
  const file = join(cli.home, `${w.mcis}.yaml`);
  writeFileSync(file, manifestYaml(w.mcis, [{ name: w.subgroup, connection: w.connection, count: 2, spec: w.spec }]));
  const status = async (args: string[]) => (await cli.json<{ mcis: Mcis }>(args)).mcis.status;
  expect(await status(['mcis', 'create', '-f', file])).toBe('Running:2 (R:2/2)');
  await checks.afterCreate?.();
  for (const vm of (await cli.json<Mcis>(['mcis', 'get', w.mcis])).vms) {
    if (checks.providerId) expect(vm.providerId).toMatch(checks.providerId);
    expect([vm.publicIp, vm.sshUser]).toEqual([expect.stringMatching(/^127\./), w.sshUser]);
  }
  const exec = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', w.mcis, '--', 'echo', 'hello-$USER']);
  expect(exec.map((r) => [r.vm, r.exitCode, r.stdout.trim()])).toEqual([1, 2].map((i) => [`${w.subgroup}-${i}`, 0, `hello-${w.sshUser}`]));
  expect(await status(['mcis', 'suspend', w.mcis])).toBe('Suspended:2 (R:0/2)');
  await checks.afterSuspend?.();
  expect(await status(['mcis', 'resume', w.mcis])).toBe('Running:2 (R:2/2)');
  expect(await status(['mcis', 'terminate', w.mcis, '--yes'])).toBe('Terminated:2 (R:0/2)');
  const deleted = await cli.json<{ cleanedConnections: string[] }>(['mcis', 'delete', w.mcis, '--yes']);
  expect(deleted.cleanedConnections).toEqual([w.connection]);
  await checks.afterDelete?.();
}

/**
 * A create the twin fails with the cloud's own error code (`fault`, in `twin fault` syntax): exit 3
 * naming the code, and `delete --force` leaves nothing at the cloud, defaults included.
 */
export async function faultedCreateLeavesNothing(cli: Cli, audit: CloudAudit, c: { fault: string; manifest: string; mcis: string; connection: string; says: string }): Promise<void> {
  await cli.json(['twin', 'fault', c.fault]);
  const r = await cli.run(['mcis', 'create', '-f', c.manifest]);
  // Exit 3: the MCIS exists, its one VM failed with the cloud's own code.
  expect(r.code).toBe(3);
  expect(r.stdout + r.stderr).toContain(c.says);
  await cli.json(['twin', 'fault', '--clear']);
  expectExit(await cli.run(['mcis', 'delete', c.mcis, '--force']), [0], 'delete --force');
  expect(await audit.check(c.mcis, [c.connection])).toEqual(converged(0, ''));
  expect(await audit.defaults(c.connection)).toEqual([]);
}
