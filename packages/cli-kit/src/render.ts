/** Rendering of results and errors for every output format: one contract for cbadm and cbmon. */
import { createRequire } from 'node:module';
import { ExitCode, isCbError, PartialError, UsageError } from '@cloud-barista/core/errors';

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

/** A compact table like kubectl's and aws-cli's: no separator lines between rows, '-' for no value. */
export function makeTable(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  // cli-table3 loads only when a table is printed: empty lists and JSON output never pay for it.
  const Table = require('cli-table3') as typeof import('cli-table3');
  const t = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '-' : printable(String(c)))));
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
  lines.push(`Error: ${err.message}`);
  if (err instanceof UsageError) for (const i of err.issues) lines.push(`  - ${i.path}: ${i.message}`);
  if (isCbError(err) && err.hint) lines.push(`Hint: ${err.hint}`);
  if (verbose && err.stack) lines.push(err.stack);
  else if (!isCbError(err) && code === ExitCode.Error)
    lines.push('(run with --verbose for details; if this looks like a bug, please report it)');
  return { code, text: `${lines.join('\n')}\n` };
}
