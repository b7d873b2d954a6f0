/**
 * The Compute API's list `filter`: comparisons (`=`, `!=`, `<`, `>`, `<=`, `>=`, `:` has, and the
 * legacy regex `eq` / `ne`) on dotted fields of the resource JSON (`labels.cb-ns`, `status`,
 * `name`), combined with AND / OR / NOT, juxtaposition (= AND) and parentheses. `*` in a `=`
 * value is a wildcard.
 */
import { GceError } from './errors.js';

type Node =
  | { t: 'and' | 'or'; l: Node; r: Node }
  | { t: 'not'; e: Node }
  | { t: 'cmp'; field: string; op: string; value: string };

const TOKEN = /\s*(\(|\)|!=|>=|<=|=|<|>|:|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()=!<>:"']+)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m?.[1]) throw bad(text);
    out.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return out;
}

function bad(filter: string): GceError {
  return new GceError('invalid', `Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`);
}

function unquote(v: string): string {
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return v;
}

const OPS = new Set(['=', '!=', '<', '>', '<=', '>=', ':', 'eq', 'ne']);

export function parseFilter(text: string): Node | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];

  const expr = (): Node => {
    let left = term();
    for (;;) {
      const p = peek();
      if (p === undefined || p === ')') return left;
      if (p === 'OR') {
        next();
        left = { t: 'or', l: left, r: term() };
      } else {
        if (p === 'AND') next();
        left = { t: 'and', l: left, r: term() };
      }
    }
  };
  const term = (): Node => {
    const p = next();
    if (p === undefined) throw bad(text);
    if (p === '(') {
      const e = expr();
      if (next() !== ')') throw bad(text);
      return e;
    }
    if (p === 'NOT' || p === '-') return { t: 'not', e: term() };
    const op = next();
    const value = next();
    if (op === undefined || !OPS.has(op) || value === undefined || value === '(' || value === ')') throw bad(text);
    return { t: 'cmp', field: p, op, value: unquote(value) };
  };

  const node = expr();
  if (i !== tokens.length) throw bad(text);
  return node;
}

function fieldValues(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const key of path.split('.')) {
    cur = cur.flatMap((c) => {
      if (Array.isArray(c)) return (c as unknown[]).map((x) => (x as Record<string, unknown> | undefined)?.[key]);
      return typeof c === 'object' && c !== null ? [(c as Record<string, unknown>)[key]] : [];
    });
  }
  return cur.flatMap((c): unknown[] => (Array.isArray(c) ? (c as unknown[]) : [c])).filter((c) => c !== undefined);
}

function glob(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function compare(actual: unknown, op: string, want: string): boolean {
  const a = typeof actual === 'string' ? actual : JSON.stringify(actual);
  switch (op) {
    case '=':
      return glob(want).test(a);
    case ':':
      return want === '*' || a.includes(want);
    case 'eq':
      return new RegExp(`^(?:${want})$`).test(a);
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const na = Number(a);
      const nw = Number(want);
      const [x, y] = Number.isNaN(na) || Number.isNaN(nw) ? [a.localeCompare(want), 0] : [na, nw];
      return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
    }
    default:
      return false;
  }
}

function evaluate(node: Node, obj: unknown): boolean {
  switch (node.t) {
    case 'and':
      return evaluate(node.l, obj) && evaluate(node.r, obj);
    case 'or':
      return evaluate(node.l, obj) || evaluate(node.r, obj);
    case 'not':
      return !evaluate(node.e, obj);
    case 'cmp': {
      const values = fieldValues(obj, node.field);
      if (node.op === '!=') return !values.some((v) => compare(v, '=', node.value));
      if (node.op === 'ne') return !values.some((v) => compare(v, 'eq', node.value));
      if (node.op === ':' && node.value === '*') return values.length > 0;
      return values.some((v) => compare(v, node.op, node.value));
    }
  }
}

/** Keeps the items matching `filter` (all of them when it is empty). Throws 400 invalid on bad syntax. */
export function applyFilter<T>(items: T[], filter: string | null): T[] {
  if (!filter?.trim()) return items;
  const node = parseFilter(filter);
  if (!node) return items;
  try {
    return items.filter((i) => evaluate(node, i));
  } catch {
    // An invalid regex in eq/ne.
    throw bad(filter);
  }
}
