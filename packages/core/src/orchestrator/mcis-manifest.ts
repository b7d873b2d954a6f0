/**
 * The MCIS manifest checked whole: the leaf's schema and cross-field rules (`../manifest.ts`) plus
 * each subgroup's `requirements`, which only the recommender can parse (places, priorities, GPU filter).
 */
import { checkMcisManifest, readMcisManifest, type McisManifest, type Validation } from '../manifest.js';
import { requirementIssues } from '../recommend/requirements.js';

/** Validates an already-parsed object against the manifest schema plus cross-field rules. */
export function validateMcisManifest(input: unknown): Validation<McisManifest> {
  return checkMcisManifest(input, requirementIssues);
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function parseMcisManifest(text: string, source = 'manifest'): Validation<McisManifest> {
  return readMcisManifest(text, source, requirementIssues);
}
