/**
 * Fault campaign, load and input: 20 cbadm processes at once on one store (different MCIS and
 * clashing ones), and fuzzed manifests (fast-check): arbitrary and mutated-valid ones, most checked
 * in-process through the manifest reader and the create plan, a sample through the CLI, where the
 * only answers are 0 or 2 and a 2 changes neither the store nor any cloud.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCbError, openCore, parseMcisManifest, type Core } from '@cloud-barista/core';
import { driverRegistry } from '@cloud-barista/drivers';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAudit, converged, expectExit, RequestLog, seededRandom, startCampaignTwin } from './chaos.js';
import { Cli, manifestYaml } from './harness.js';

// The campaign's kill points and fault rates were tuned with the default 500 ms polls.
const cli = new Cli({ env: { CB_TIMEOUT_MS: '60000', CB_POLL_MS: '500' } });
let log: RequestLog;
let audit: CloudAudit;

const CONNS = ['twin-aws-eu-west-1', 'twin-aws-sa-east-1'];

function file(name: string, text: string): string {
  const f = join(cli.home, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
}

beforeAll(async () => {
  ({ log, audit } = await startCampaignTwin(cli));
});
afterAll(async () => {
  await audit?.close();
  await cli.dispose();
});

describe('chaos: load and input', () => {
  it('20 processes at once on one store: creates, clashing actions and deletes; exit 5 when locked, never "database is locked", no lost update', async () => {
    for (const n of ['busy', 'gone']) expectExit(await cli.run(['mcis', 'create', '-f', file(n, manifestYaml(n, [{ name: 'g', connection: CONNS[0]!, count: 2 }]))]), [0], n);

    const creates = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const runs = [
      ...creates.map((n, i) => ({ what: `create ${n}`, args: ['mcis', 'create', '-f', file(n, manifestYaml(n, [{ name: 'g', connection: CONNS[i % 2]!, count: 1 }]))] })),
      // Clashing: four commands on one MCIS, three deletes of another.
      ...['suspend', 'suspend', 'reboot', 'suspend'].map((a) => ({ what: `${a} busy`, args: ['mcis', a, 'busy'] })),
      ...[1, 2, 3].map(() => ({ what: 'delete gone', args: ['mcis', 'delete', 'gone', '--force'] })),
      ...[0, 1, 2].map((i) => ({ what: `connection add par-${i}`, args: ['connection', 'add', `par-${i}`, '--provider', 'aws', '--region', 'us-east-1'] })),
    ];
    expect(runs).toHaveLength(20);
    const results = await Promise.all(runs.map(async (r) => ({ ...r, res: await cli.run(r.args) })));
    for (const r of results) expect(r.res.stderr, r.what).not.toMatch(/database is locked|SQLITE_BUSY/i);

    // Different MCIS and store writes never clash.
    for (const r of results.filter((x) => !/busy|gone/.test(x.what))) expectExit(r.res, [0], r.what);
    // On one MCIS: the lock holder works, the others are told it is locked (5), or come after it.
    const busy = results.filter((r) => r.what.endsWith(' busy'));
    for (const r of busy) {
      expectExit(r.res, [0, 3, 5], r.what);
      if (r.res.code === 5) expect(r.res.stderr).toMatch(/locked by mcis/);
    }
    expect(busy.filter((r) => r.res.code === 0).length).toBeGreaterThanOrEqual(1);
    const gone = results.filter((r) => r.what === 'delete gone');
    for (const r of gone) expectExit(r.res, [0, 4, 5], r.what);
    expect(gone.filter((r) => r.res.code === 0)).toHaveLength(1);
    expect(audit.records('gone').exists).toBe(false);

    // No lost update: every create and connection landed; busy still has its two VMs.
    const list = await cli.json<Array<{ name: string; status: string }>>(['mcis', 'list']);
    expect(list.map((m) => m.name).sort()).toEqual(['busy', ...creates].sort());
    for (const n of creates) expect(await audit.check(n, CONNS), n).toEqual(converged(1, 'Running'));
    expect((await audit.check('busy', CONNS)).records).toBe(2);
    expect(await audit.check('gone', CONNS)).toEqual(converged(0, ''));
    const names = (await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name);
    for (let i = 0; i < 3; i++) expect(names).toContain(`par-${i}`);

    // And all deleted at once.
    const deletes = await Promise.all(['busy', ...creates].map((n) => cli.run(['mcis', 'delete', n, '--force'])));
    for (const d of deletes) expect(d.stderr).not.toMatch(/database is locked|SQLITE_BUSY/i);
    expect(deletes.map((d) => d.code)).toEqual(Array(11).fill(0));
    for (const n of ['busy', ...creates]) expect(await audit.check(n, CONNS), n).toEqual(converged(0, ''));
    for (const c of CONNS) expect(await audit.defaults(c), c).toEqual([]);
  });

  describe('fuzzed manifests', () => {
    const VALID = {
      apiVersion: 'cloud-barista.io/v1alpha1',
      kind: 'MCIS',
      metadata: { name: 'fuzz', labels: { team: 'sre' } },
      spec: {
        subgroups: [
          { name: 'a', connection: 'twin-aws-eu-west-1', count: 2, spec: 't3.micro', image: 'ubuntu-22.04' },
          { name: 'b', connection: 'twin-gcp-europe-west1', count: 1, spec: 'e2-small', image: 'debian-12' },
        ],
        policy: { onFailure: 'continue', parallelism: 4 },
      },
    };
    type Json = unknown;
    /** A random edit at a random path of the valid manifest: drop, replace, or add a key. */
    const mutation = fc.tuple(fc.nat(), fc.constantFrom('drop', 'replace', 'add'), fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.double(), fc.constant(null)), fc.string({ maxLength: 12 }));
    function mutate(base: Json, muts: Array<[number, string, Json, string]>): Json {
      const doc = structuredClone(base) as Record<string, unknown>;
      for (const [pick, op, value, key] of muts) {
        const paths: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
        const walk = (node: unknown) => {
          if (node && typeof node === 'object') {
            for (const [k, v] of Object.entries(node)) {
              paths.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(k) : k });
              walk(v);
            }
          }
        };
        walk(doc);
        const at = paths[pick % paths.length];
        if (!at) continue;
        const parent = at.parent as Record<string | number, unknown>;
        if (op === 'drop') {
          if (Array.isArray(parent)) parent.splice(at.key as number, 1);
          else delete parent[at.key];
        } else if (op === 'replace') parent[at.key] = value;
        else if (!Array.isArray(parent)) parent[key] = value;
        else parent.push(value);
      }
      return doc;
    }
    const mutated = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => stringify(mutate(VALID, m as Array<[number, string, Json, string]>)));
    const arbitrary = fc.oneof(fc.string({ maxLength: 400 }), fc.jsonValue().map((v) => stringify(v)), fc.jsonValue().map((v) => JSON.stringify(v)));

    let core: Core;
    beforeAll(() => {
      core = openCore({ drivers: driverRegistry, home: cli.home });
    });
    afterAll(() => core?.close());

    /** The CLI's create path without the cloud: read, validate, plan. Only usage errors may come out. */
    function check(text: string): 'valid' | 'invalid' {
      const v = parseMcisManifest(text, 'fuzz.yaml');
      if (!v.value) {
        expect(v.errors.length).toBeGreaterThan(0);
        for (const e of v.errors) expect(typeof e.path === 'string' && e.message.length > 0).toBe(true);
        return 'invalid';
      }
      try {
        core.mcis.plan({ ns: 'default', manifest: v.value });
        return 'valid';
      } catch (e) {
        if (!(isCbError(e) && e.exitCode === 2)) throw e;
        return 'invalid';
      }
    }

    it('in-process: 600 arbitrary and mutated manifests give a plan or field errors, never a crash, and change nothing', () => {
      const rnd = seededRandom('fuzz');
      const before = audit.storeSnapshot();
      const tally = { valid: 0, invalid: 0 };
      for (const arb of [arbitrary, mutated]) {
        fc.assert(
          fc.property(arb, (text) => {
            tally[check(text)]++;
          }),
          { seed: rnd.seed, numRuns: 300 },
        );
      }
      expect(audit.storeSnapshot()).toBe(before);
      // The mutations keep some manifests valid, so both paths are exercised.
      expect(tally.valid).toBeGreaterThan(0);
      expect(tally.invalid).toBeGreaterThan(0);
      console.log(`chaos fuzz figures (in-process): ${JSON.stringify(tally)}`);
    });

    it('through the CLI: 40 samples (dry runs and real creates) exit 0 or 2; a 2 changes neither the store nor the cloud', async () => {
      const rnd = seededRandom('fuzz-cli');
      const samples = [...fc.sample(mutated, { seed: rnd.seed, numRuns: 28 }), ...fc.sample(arbitrary, { seed: rnd.seed, numRuns: 12 })];
      const codes: Record<string, number> = {};
      for (const [i, text] of samples.entries()) {
        const f = file(`fuzz-${i}`, text);
        const store = audit.storeSnapshot();
        const from = log.size();
        const verdict = check(text);
        if (i % 2 === 0 || verdict === 'valid') {
          const dry = await cli.run(['mcis', 'create', '-f', f, '--dry-run']);
          expectExit(dry, [0, 2], `dry-run of sample ${i} (seed ${rnd.seed}):\n${text}`);
          codes[`dry-run ${dry.code}`] = (codes[`dry-run ${dry.code}`] ?? 0) + 1;
          // The in-process verdict is the CLI's.
          expect(dry.code === 0 ? 'valid' : 'invalid', text).toBe(verdict);
        } else {
          // A real create of an invalid manifest: refused before any write or cloud call.
          const real = await cli.run(['mcis', 'create', '-f', f]);
          expectExit(real, [2], `create of sample ${i} (seed ${rnd.seed}):\n${text}`);
          expect(real.stderr).toMatch(/nothing was changed|invalid/);
          codes[`create ${real.code}`] = (codes[`create ${real.code}`] ?? 0) + 1;
        }
        expect(audit.storeSnapshot(), `sample ${i}`).toBe(store);
        // Not one cloud call: the dry run and the refused create stop before any.
        expect(log.since(from), `sample ${i}`).toEqual([]);
      }
      expect(codes['create 2']).toBeGreaterThan(0);
      console.log(`chaos fuzz figures (CLI): ${JSON.stringify(codes)}`);
    });
  });
});
