/**
 * Range filters as users type them: `2..8`, `4..` (at least), `..16` (at most), `4` (exactly).
 * Parsing is pure and errors name the flag or field and show the accepted forms.
 */
import { UsageError } from '../errors.js';

export interface NumRange {
  min?: number;
  max?: number;
}

const NUMBER = /^\d+(\.\d+)?$|^\.\d+$/;

function num(text: string, what: string, raw: string): number {
  if (!NUMBER.test(text)) {
    throw new UsageError(`${what} '${raw}' is not a range: '${text}' is not a non-negative number`, {
      hint: `write N (exactly), MIN.. (at least), ..MAX (at most) or MIN..MAX, e.g. ${what} 2..8`,
    });
  }
  return Number(text);
}

/** Parses `MIN..MAX`, `MIN..`, `..MAX` or `N`; `what` names the flag in errors (e.g. '--vcpu'). */
export function parseRange(raw: string, what: string): NumRange {
  const text = raw.trim();
  const dots = text.indexOf('..');
  if (dots < 0) {
    const n = num(text, what, raw);
    return { min: n, max: n };
  }
  const lo = text.slice(0, dots).trim();
  const hi = text.slice(dots + 2).trim();
  if (!lo && !hi) throw new UsageError(`${what} '${raw}' has no bounds`, { hint: `e.g. ${what} 2..8, ${what} 4.. or ${what} ..16` });
  const range: NumRange = {};
  if (lo) range.min = num(lo, what, raw);
  if (hi) range.max = num(hi, what, raw);
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
    throw new UsageError(`${what} '${raw}': the lower bound ${range.min} is above the upper bound ${range.max}`, { hint: `write MIN..MAX, e.g. ${what} ${range.max}..${range.min}` });
  }
  return range;
}

export function isRangeText(text: string): boolean {
  return /^\s*(\d+(\.\d+)?)?\s*(\.\.\s*(\d+(\.\d+)?)?)?\s*$/.test(text) && /\d/.test(text);
}

export function inRange(value: number, r: NumRange | undefined): boolean {
  if (!r) return true;
  return (r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max);
}

/** `≥ 4`, `≤ 16`, `2–8`, `= 4`: for messages. */
export function describeRange(r: NumRange, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  if (r.min !== undefined && r.max !== undefined) return r.min === r.max ? `exactly ${r.min}${u}` : `${r.min}–${r.max}${u}`;
  if (r.min !== undefined) return `≥ ${r.min}${u}`;
  if (r.max !== undefined) return `≤ ${r.max}${u}`;
  return 'any';
}
