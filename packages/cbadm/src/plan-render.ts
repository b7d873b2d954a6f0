/** Plans (`plan`, `apply`, `mcis scale`) and drift as people read them: Terraform-style change lines. */
import type { Change, ChangeOp, McisPlan } from '@cloud-barista/core';
import { stdoutChalk } from '@cloud-barista/cli-kit/colour';
import type { ChalkInstance } from 'chalk';

const SIGN: Record<ChangeOp, string> = { create: '  +', destroy: '  -', replace: '-/+', update: '  ~' };

function paint(op: ChangeOp, text: string, c: ChalkInstance): string {
  return op === 'create' ? c.green(text) : op === 'destroy' ? c.red(text) : op === 'replace' ? c.magenta(text) : c.yellow(text);
}

/** One line per change: sign, target, where it runs, why. */
export function changeLines(changes: Change[], c: ChalkInstance = stdoutChalk()): string {
  const width = Math.max(8, ...changes.map((x) => x.target.length));
  return changes
    .map((x) => {
      const where = x.after ? `${x.after.connection} ${x.after.spec} ${x.after.image}` : x.before ? `${x.before.connection} ${x.before.spec}` : (x.orphan?.connection ?? '');
      return `${paint(x.op, `${SIGN[x.op]} ${x.target.padEnd(width)}`, c)}  ${where.padEnd(40)}  ${x.drift ? c.yellow('drift: ') : ''}${x.reason}\n`;
    })
    .join('');
}

const usd = (n: number | null) => (n === null ? 'unpriced' : `$${n.toFixed(4)}/h`);

export function planText(p: McisPlan, c: ChalkInstance = stdoutChalk()): string {
  const head = `MCIS ${p.ns}/${p.name}${p.exists ? '' : ' (new)'}`;
  const warnings = p.warnings.map((w) => `${c.yellow('warning:')} ${w}\n`).join('');
  if (!p.changes.length) return `${warnings}${head}: no changes. The clouds and the record match the manifest.`;
  const s = p.summary;
  return [
    warnings,
    `${head}: ${s.create} to create, ${s.replace} to replace, ${s.update} to update in place, ${s.destroy} to destroy.\n\n`,
    changeLines(p.changes, c),
    `\nCost: ${usd(p.costPerHour.before)} → ${usd(p.costPerHour.after)}`,
  ].join('');
}
