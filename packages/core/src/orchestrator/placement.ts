/**
 * Where each subgroup goes, decided without any cloud call: a subgroup naming `connection` + `spec`
 * is checked; one giving `requirements` is resolved through the recommender over the stored catalog,
 * keeping the next-best candidates for failover. A create that resumes an MCIS keeps the placement
 * it recorded (never re-resolves, never fails over). Prices and native image ids come from the
 * catalog when it has them, so a dry run can show the cost.
 */
import { isCbError, type FieldIssue } from '../errors.js';
import type { McisManifest } from '../manifest.js';
import type { Connection, Subgroup } from '../model.js';
import { imageNamedBy, type RegionRef } from '../records/catalog.js';
import { requirementRequest } from '../recommend/requirements.js';
import { RecommendService } from '../recommend/service.js';
import type { RankedCandidate } from '../recommend/engine.js';
import { catalogIssues } from '../catalog/check.js';
import type { OrchestratorDeps } from './deps.js';
import { defined } from '../util/defined.js';

export interface Alternate {
  connection: string;
  provider: string;
  region: string;
  spec: string;
  pricePerHour: number | null;
}

export interface PlannedSubgroup {
  name: string;
  count: number;
  connection: string;
  provider: string;
  region: string;
  spec: string;
  image: string;
  /** The native image the alias resolves to in that region, per the catalog; null: resolved at launch. */
  imageId: string | null;
  /** On-demand USD per hour per VM, per the catalog; null when it has no price. */
  pricePerHour: number | null;
  /** pricePerHour × count. */
  costPerHour: number | null;
  /** manifest: named in it; requirements: chosen now; record: chosen by the run that created the MCIS. */
  placedBy: 'manifest' | 'requirements' | 'record';
  /** Why the recommender chose it (requirements only): one line per weighted priority. */
  reasons: string[];
  /** Next-best candidates, best first: where failover goes. */
  alternates: Alternate[];
}

/** Failover candidates kept per requirement subgroup. */
export const MAX_ALTERNATES = 10;

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function toAlternate(c: RankedCandidate): Alternate {
  return { connection: c.connection!, provider: c.provider, region: c.region, spec: c.spec, pricePerHour: c.pricePerHour };
}

/** The subgroup record to store: fixed key order, so records compare equal across versions. */
export function storedSubgroup(sg: McisManifest['spec']['subgroups'][number], placed: { connection: string; spec: string }): Subgroup {
  return {
    name: sg.name,
    connection: placed.connection,
    count: sg.count,
    spec: placed.spec,
    image: sg.image,
    ...defined({ rootDisk: sg.rootDisk, sshUser: sg.sshUser, requirements: sg.requirements }),
    ...(sg.firewall?.length ? { firewall: sg.firewall } : {}),
  };
}

/**
 * Places every subgroup; throws nothing itself: problems come back as field issues (the caller
 * throws one UsageError naming them all).
 */
export function placeSubgroups(deps: OrchestratorDeps, ns: string, m: McisManifest): { placed: PlannedSubgroup[]; issues: FieldIssue[]; warnings: string[] } {
  const issues: FieldIssue[] = [];
  const warnings = new Set<string>();
  const providers = new Set(deps.drivers.providers());
  const checked = new Map<string, string | undefined>();
  /** Why a connection cannot be used, or undefined when it can. */
  const problem = (c: Connection): string | undefined => {
    if (!checked.has(c.name)) {
      let why: string | undefined;
      if (!providers.has(c.provider)) why = `connection '${c.name}' uses provider '${c.provider}', which has no driver yet (available: ${[...providers].join(', ')})`;
      else {
        try {
          deps.credentials.material(c.credential);
        } catch (e) {
          why = `connection '${c.name}': ${(e as Error).message}`;
        }
      }
      checked.set(c.name, why);
    }
    return checked.get(c.name);
  };
  const priceOf = (provider: string, region: string, spec: string) =>
    deps.store.listSpecRecords({ provider, region }).find((s) => s.name === spec)?.pricePerHour ?? null;
  const imageOf = (provider: string, region: string, image: string) =>
    deps.store.listImageRecords({ provider, region }).find((i) => imageNamedBy(i, image))?.id ?? null;
  const imageArch = (image: string): string => {
    const arches = new Set(deps.store.listImageRecords().filter((i) => imageNamedBy(i, image)).map((i) => i.arch));
    // The image aliases (ubuntu-22.04, debian-12…) name x86_64 images unless the catalog says otherwise.
    return arches.size === 1 ? [...arches][0]! : 'x86_64';
  };
  const existing = deps.store.getMcis(ns, m.metadata.name);
  const recommender = new RecommendService(deps.store);

  const placed: Array<PlannedSubgroup | undefined> = m.spec.subgroups.map(() => undefined);
  const anchors: RegionRef[] = [];
  const finish = (i: number, c: Connection, spec: string, placedBy: PlannedSubgroup['placedBy'], reasons: string[] = [], alternates: Alternate[] = []) => {
    const sg = m.spec.subgroups[i]!;
    const price = priceOf(c.provider, c.region, spec);
    placed[i] = {
      name: sg.name,
      count: sg.count,
      connection: c.name,
      provider: c.provider,
      region: c.region,
      spec,
      image: sg.image,
      imageId: imageOf(c.provider, c.region, sg.image),
      pricePerHour: price,
      costPerHour: price === null ? null : round4(price * sg.count),
      placedBy,
      reasons,
      alternates,
    };
    anchors.push({ provider: c.provider, region: c.region });
  };

  // Named placements first: they are the anchors a `latency` requirement measures against.
  m.spec.subgroups.forEach((sg, i) => {
    if (sg.requirements || sg.connection === undefined || sg.spec === undefined) return;
    const path = `spec.subgroups[${i}].connection`;
    const c = deps.store.getConnection(sg.connection);
    if (!c) {
      issues.push({ path, message: `unknown connection '${sg.connection}': add it with \`cbadm connection add\` or list them with \`cbadm connection list\`` });
      return;
    }
    const why = problem(c);
    if (why) {
      issues.push({ path, message: why });
      return;
    }
    const unknown = catalogIssues(deps.store, c, { spec: sg.spec, image: sg.image }, `spec.subgroups[${i}]`);
    if (unknown.length) issues.push(...unknown);
    else finish(i, c, sg.spec, 'manifest');
  });

  m.spec.subgroups.forEach((sg, i) => {
    const r = sg.requirements;
    if (!r) return;
    const path = `spec.subgroups[${i}].requirements`;
    const before = existing?.subgroups.find((s) => s.name === sg.name);
    if (before && JSON.stringify(before.requirements ?? null) === JSON.stringify(r)) {
      const c = deps.store.getConnection(before.connection);
      if (c) {
        finish(i, c, before.spec, 'record');
        return;
      }
    }
    try {
      const req = requirementRequest(r, path);
      // The image decides the architecture unless the requirements do: launching an arm64 spec
      // with an x86_64 image fails at the cloud, after the plan said it would work.
      if (!req.filter.arch) req.filter.arch = imageArch(sg.image);
      if (req.weights.latency > 0 && !anchors.length) {
        issues.push({ path: `${path}.priority`, message: 'the latency priority places a subgroup near the MCIS\'s other subgroups; place one of them first (connection + spec, or requirements without latency)' });
        return;
      }
      const result = recommender.recommend({
        filter: req.filter,
        weights: req.weights,
        near: req.near,
        ...(req.weights.latency > 0 ? { setSize: 1, anchors: [...anchors] } : {}),
        limit: MAX_ALTERNATES + 1,
        onePerRegion: true,
        connectedOnly: true,
        usable: (c) => problem(c) === undefined,
      });
      if (result.staleWarning) warnings.add(result.staleWarning);
      const [best, ...rest] = result.candidates;
      if (!best) {
        issues.push({ path, message: result.empty?.message ?? 'no spec in the catalog matches' });
        return;
      }
      // The best candidate of each other region, in rank order: failover moves between regions.
      const alternates: Alternate[] = rest.map(toAlternate);
      const reasons = Object.entries(best.scores).map(([p, s]) => `${p} ${s.score.toFixed(2)}×${s.weight.toFixed(2)}: ${s.reason}`);
      finish(i, deps.store.getConnection(best.connection!)!, best.spec, 'requirements', reasons, alternates);
    } catch (e) {
      if (!isCbError(e)) throw e;
      issues.push({ path, message: `${e.message}${e.hint ? ` (${e.hint})` : ''}` });
    }
  });
  return { placed: placed.filter((p): p is PlannedSubgroup => p !== undefined), issues, warnings: [...warnings] };
}
