/** The examples/ folder is part of the product: the quick-start manifest and the CI-style script run here. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CBADM, Cli, REPO } from './harness.js';

const cli = new Cli();

beforeAll(async () => {
  await cli.twinUp('200ms');
});
afterAll(() => cli.dispose());

describe('examples', () => {
  it('the quick-start manifest validates and plans 14 VMs on all seven kinds of infrastructure', async () => {
    const r = await cli.json<{ plan: { vms: Array<{ region: string; provider: string }> } }>(['mcis', 'create', '-f', join(REPO, 'examples/quickstart.yaml'), '--dry-run']);
    expect(r.plan.vms).toHaveLength(14);
    expect([...new Set(r.plan.vms.map((v) => v.provider))].sort()).toEqual(['alibaba', 'aws', 'azure', 'cloudit', 'docker', 'gcp', 'openstack']);
  });

  it('examples/mcis-lifecycle.sh drives an MCIS through --json to the end', () => {
    const r = spawnSync('bash', [join(REPO, 'examples/mcis-lifecycle.sh'), join(REPO, 'examples/quickstart.yaml')], {
      env: { ...cli.env, CBADM: `${process.execPath} ${CBADM}` },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.stderr + r.stdout).toMatch(/done/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/status: Running:14 \(R:14\/14\)/);
    expect(r.stdout).toMatch(/exec failures: 0/);
    expect(r.stdout).toMatch(/Suspended:14 \(R:0\/14\)/);
  });
});
