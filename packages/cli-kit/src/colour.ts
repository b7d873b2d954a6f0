/**
 * Colour for people, never for programs: on only when the stream it paints is a terminal, and off
 * with NO_COLOR (https://no-color.org) or `--no-color`. Statuses read at a glance: running green,
 * failed red, on the way yellow.
 */
import { Chalk, supportsColor, supportsColorStderr, type ChalkInstance } from 'chalk';

function level(stream: NodeJS.WriteStream, detected: typeof supportsColor): 0 | 1 | 2 | 3 {
  if (process.env.NO_COLOR || process.argv.includes('--no-color')) return 0;
  if (stream.isTTY !== true || !detected) return 0;
  return detected.level;
}

let out: ChalkInstance | undefined;
let err: ChalkInstance | undefined;
/** Painter for what goes to stdout. */
export const stdoutChalk = (): ChalkInstance => (out ??= new Chalk({ level: level(process.stdout, supportsColor) }));
/** Painter for what goes to stderr. */
export const stderrChalk = (): ChalkInstance => (err ??= new Chalk({ level: level(process.stderr, supportsColorStderr) }));

const GOOD = /^(Running|Ready|Succeeded|ok|true)\b/;
const BAD = /^(Failed|Undefined|Error)\b/;
const MOVING = /^(Creating|Suspending|Resuming|Rebooting|Terminating|Deleting|Pending|Partial-|Provisioning|Joining|Draining)/;

/** A status word (VM, MCIS, cluster) in its colour; anything else unchanged. */
export function paintStatus(text: string, c: ChalkInstance = stdoutChalk()): string {
  if (GOOD.test(text)) return c.green(text);
  if (MOVING.test(text)) return c.yellow(text);
  if (BAD.test(text)) return c.red(text);
  return text;
}
