/** Priorities as users write them: `cost`, `cost=0.6,location=0.4`, `latency,performance`. */
import { UsageError } from '../errors.js';

export const PRIORITIES = ['cost', 'location', 'latency', 'performance'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type Weights = Record<Priority, number>;

/**
 * Parses a priority list; weights are normalised to sum to 1. A bare name weighs 1 before
 * normalising, so `cost,location` is an even split. Throws UsageError naming `what`.
 */
export function parseWeights(text: string, what = '--priority'): Weights {
  const weights: Weights = { cost: 0, location: 0, latency: 0, performance: 0 };
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const seen = new Set<string>();
  if (!parts.length) throw new UsageError(`${what} is empty`, { hint: `e.g. ${what} cost or ${what} cost=0.6,location=0.4` });
  for (const part of parts) {
    const [name = '', value, extra] = part.split('=').map((s) => s.trim());
    if (extra !== undefined) throw new UsageError(`${what} '${part}' has more than one '='`, { hint: `write NAME=WEIGHT, e.g. cost=0.6` });
    if (!(PRIORITIES as readonly string[]).includes(name)) {
      throw new UsageError(`${what}: unknown priority '${name}'`, { hint: `use ${PRIORITIES.join(', ')}, optionally weighted: cost=0.6,location=0.4` });
    }
    const w = value === undefined ? 1 : Number(value);
    if (value !== undefined && (value === '' || !Number.isFinite(w) || w < 0)) {
      throw new UsageError(`${what}: weight '${value}' of ${name} is not a number ≥ 0`, { hint: 'e.g. cost=0.6,location=0.4' });
    }
    if (seen.has(name)) throw new UsageError(`${what}: '${name}' is given twice`, { hint: 'name each priority once' });
    seen.add(name);
    weights[name as Priority] = w;
  }
  const sum = PRIORITIES.reduce((s, p) => s + weights[p], 0);
  if (!(sum > 0)) throw new UsageError(`${what}: the weights add up to 0`, { hint: 'give at least one priority a weight above 0' });
  for (const p of PRIORITIES) weights[p] /= sum;
  return weights;
}

export function formatWeights(w: Weights): string {
  return PRIORITIES.filter((p) => w[p] > 0).map((p) => `${p}=${+w[p].toFixed(3)}`).join(',');
}
