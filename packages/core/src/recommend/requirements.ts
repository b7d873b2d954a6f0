/**
 * Manifest `requirements` → a recommendation request. Pure: checking a manifest parses places and
 * priorities here (so errors name the field) without touching the store.
 */
import { isCbError, type FieldIssue } from '../errors.js';
import { parseGpuFilter, type SpecFilter } from '../catalog/filter.js';
import type { Requirements } from '../model.js';
import { parsePlace, type NamedPoint } from './geo.js';
import { parseWeights, type Weights } from './weights.js';

export interface RequirementRequest {
  filter: SpecFilter;
  weights: Weights;
  near: NamedPoint[];
}

export function placesOf(r: Requirements): string[] {
  return r.near === undefined ? [] : Array.isArray(r.near) ? r.near : [r.near];
}

/** Throws UsageError naming `path`'s sub-field when something does not parse. */
export function requirementRequest(r: Requirements, path: string): RequirementRequest {
  const near = placesOf(r).map((p, i) => parsePlace(p, Array.isArray(r.near) ? `${path}.near[${i}]` : `${path}.near`));
  const weights = parseWeights(r.priority ?? (near.length ? 'cost=0.5,location=0.5' : 'cost'), `${path}.priority`);
  const filter: SpecFilter = {};
  if (r.vcpu !== undefined) filter.vcpu = { min: r.vcpu };
  if (r.memory !== undefined) filter.memoryGiB = { min: r.memory };
  if (r.gpu !== undefined) filter.gpu = typeof r.gpu === 'number' ? { count: { min: r.gpu } } : parseGpuFilter(r.gpu, `${path}.gpu`);
  if (r.maxPrice !== undefined) filter.maxPrice = r.maxPrice;
  if (r.providers) filter.providers = r.providers;
  if (r.regions) filter.regions = r.regions;
  if (r.arch) filter.arch = r.arch;
  return { filter, weights, near };
}

/** Field issues of a requirements block (empty when it is usable). */
export function requirementIssues(r: Requirements, path: string): FieldIssue[] {
  let req: RequirementRequest;
  try {
    req = requirementRequest(r, path);
  } catch (e) {
    if (!isCbError(e)) throw e;
    const field = /^(\S+?)(?: '|:| is)/.exec(e.message)?.[1] ?? path;
    return [{ path: field, message: `${e.message.slice(field.length).replace(/^[: ]+/, '')}${e.hint ? ` (${e.hint})` : ''}` }];
  }
  if (req.weights.location > 0 && !req.near.length) return [{ path: `${path}.priority`, message: 'the location priority needs near: (a city or "LAT,LON")' }];
  return [];
}
