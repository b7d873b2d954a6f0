/** Rendering of results and errors for every output format: one contract for cbadm and cbmon. */
import { createRequire } from 'node:module';
import { ExitCode, isCbError, PartialError, UsageError } from '@cloud-barista/core/errors';
import { stderrChalk } from './colour.js';

export type OutputFormat = 'table' | 'json' | 'yaml';

const require = createRequire(import.meta.url);

/** yaml loads only when YAML is printed (~30 ms saved on every other run). */
function stringify(value: unknown): string {
  return (require('yaml') as typeof import('yaml')).stringify(value);
}

export function renderResult(
  result: unknown,
  format: OutputFormat,
  table: (r: unknown) => string | undefined,
): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'yaml') return stringify(result);
  const t = table(result);
  return t === undefined ? stringify(result) : t.endsWith('\n') || t === '' ? t : `${t}\n`;
}

let wideTables = false;
/** `-o wide`: tables show every value whole (ids not shortened, columns not fitted to the terminal). */
export function setWideTables(on: boolean): void {
  wideTables = on;
}

/** Whether tables show every value whole (`-o wide`). */
export function wideTablesOn(): boolean {
  return wideTables;
}

export interface TableOptions {
  /** Per column: paints a cell (after it was made printable), e.g. a status in its colour. */
  paint?: Partial<Record<number, (cell: string) => string>>;
  /** Columns of long ids that are shortened to their end (the distinctive part) unless `-o wide`. */
  shorten?: number[];
}

const ID_MAX = 20;
/** A long id cut to its last characters: `…/virtualMachines/web-1-3f2a1c`. */
export function shortId(id: string, max = ID_MAX): string {
  return id.length > max ? `…${id.slice(-(max - 1))}` : id;
}

/**
 * Column widths that fit `width` characters: the widest columns give way first (their cells wrap),
 * none below 8 and none of `fixed` (painted cells must not wrap: a colour code would be cut).
 * Undefined when the table fits as it is.
 */
export function fitColumns(cells: string[][], width: number, fixed: number[] = []): number[] | undefined {
  const cols = cells[0]?.length ?? 0;
  const w = Array.from({ length: cols }, (_, i) => 2 + Math.max(...cells.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length)))));
  let excess = w.reduce((a, b) => a + b, 0) + cols + 1 - width;
  if (excess <= 0) return undefined;
  while (excess > 0) {
    const shrinkable = w.map((x, i) => (fixed.includes(i) ? 0 : x));
    const widest = shrinkable.indexOf(Math.max(...shrinkable));
    if ((w[widest] ?? 0) <= 8) break;
    w[widest] = (w[widest] ?? 0) - 1;
    excess--;
  }
  return w;
}

/**
 * A compact table like kubectl's and aws-cli's: no separator lines between rows, '-' for no value.
 * On a terminal it fits `process.stdout.columns`, and long ids are shortened (whole with `-o wide`).
 */
export function makeTable(head: string[], rows: Array<Array<string | number | null | undefined>>, opts: TableOptions = {}): string {
  // cli-table3 loads only when a table is printed: empty lists and JSON output never pay for it.
  const Table = require('cli-table3') as typeof import('cli-table3');
  const cells = rows.map((r) =>
    r.map((c, i) => {
      const text = c === null || c === undefined ? '-' : printable(String(c));
      return !wideTables && opts.shorten?.includes(i) ? shortId(text) : text;
    }),
  );
  const columns = process.stdout.isTTY && !wideTables ? process.stdout.columns : undefined;
  const colWidths = columns ? fitColumns([head, ...cells], columns, Object.keys(opts.paint ?? {}).map(Number)) : undefined;
  const t = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: false } : {}),
  });
  // A painted cell is never wrapped (its column keeps its width): wrapping would cut a colour code.
  for (const r of cells) t.push(r.map((text, i) => (opts.paint?.[i] ? { content: opts.paint[i](text), wordWrap: false } : text)));
  return t.toString();
}

// Escape sequences whole (CSI: ESC [ … final; OSC: ESC ] … BEL or ST; others: ESC, intermediates, final), then any other C0/C1 control.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[ -/]*[0-~]?/g;
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * A table cell as plain text: cells carry names, tags and messages from clouds and VMs, and an
 * escape sequence in one could rewrite the user's terminal (colours, title, cursor moves that hide
 * rows). Line breaks stay: cli-table3 keeps them inside the cell.
 */
export function printable(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

export interface RenderErrorOptions {
  /**
   * For people (not JSON, which always carries it): print a PartialError's result as YAML above the
   * error message. Off where the command prints that result on stdout itself.
   */
  partialResult?: boolean;
}

/** Maps any thrown value to (exit code, text). oclif's own usage errors exit 2. */
export function renderError(
  err: Error & { oclif?: { exit?: number } },
  format: OutputFormat,
  verbose: boolean,
  opts: RenderErrorOptions = {},
): { code: number; text: string } {
  let code: number = isCbError(err) ? err.exitCode : ExitCode.Error;
  let kind = isCbError(err) ? err.kind : 'error';
  if (!isCbError(err) && err.oclif?.exit !== undefined) {
    code = err.oclif.exit === 0 ? 0 : ExitCode.Usage;
    kind = 'usage';
  }
  if (format === 'json') {
    const body = isCbError(err) ? err.toJSON() : { kind, message: err.message };
    const payload: Record<string, unknown> = { error: body };
    if (err instanceof PartialError) payload.result = err.result;
    return { code, text: `${JSON.stringify(payload, null, 2)}\n` };
  }
  const lines: string[] = [];
  if (opts.partialResult && err instanceof PartialError && err.result !== undefined) {
    lines.push(stringify(err.result).trimEnd());
  }
  const c = stderrChalk();
  lines.push(`${c.red.bold('Error:')} ${err.message}`);
  // An issue the message already says (`--metric: unknown metric 'x'`) is not printed a second time.
  if (err instanceof UsageError) for (const i of err.issues) if (!err.message.includes(i.message)) lines.push(`  - ${c.yellow(i.path)}: ${i.message}`);
  if (isCbError(err) && err.hint) lines.push(`${c.cyan('Hint:')} ${err.hint}`);
  if (verbose && err.stack) lines.push(err.stack);
  else if (!isCbError(err) && code === ExitCode.Error)
    lines.push('(run with --verbose for details; if this looks like a bug, please report it)');
  return { code, text: `${lines.join('\n')}\n` };
}
