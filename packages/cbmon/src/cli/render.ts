/** Rendering of results and errors for every output format: the contract cbmon shares with cbadm. */
import { makeTable as kitTable } from '@cloud-barista/cli-kit/render';

export { renderResult, type OutputFormat } from '@cloud-barista/cli-kit/render';

// C0 and C1 controls and DEL: what makes a terminal move, recolour, retitle or clear.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text a VM (or anyone with its push token) wrote, made safe for a terminal: control characters
 * removed, so a tag like `\e[2J` cannot clear or rewrite the screen of whoever reads a table.
 */
export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/** The shared table, with every cell passed through stripControl. */
export function makeTable(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  return kitTable(
    head,
    rows.map((r) => r.map((c) => (typeof c === 'string' ? stripControl(c) : c))),
  );
}
