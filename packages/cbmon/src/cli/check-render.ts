/** The table `cbmon check` prints. */
import { formatDuration } from '@cloud-barista/agent/duration';
import { formatValue } from '../format.js';
import { metricInfo } from '../metrics.js';
import type { CheckResult } from '../rules/check.js';
import { makeTable } from './render.js';

export function checkTable(r: CheckResult): string {
  const unit = metricInfo(r.rule.split(/\s/)[0] ?? '')?.unit ?? '';
  const rows = [
    ...r.series.map((s) => [
      s.vm,
      s.tags || null,
      s.fired ? 'FIRED' : s.stale ? 'stale' : 'ok',
      formatValue(s.value, unit),
      s.heldMs ? formatDuration(s.heldMs) : null,
      s.since,
    ]),
    ...r.unavailable.map((u) => [u.vm, null, 'unknown', null, null, u.reason]),
  ];
  const head = `${r.fired ? 'FIRED' : 'ok'}: ${r.rule} (${r.mode === 'now' ? 'now' : `since ${r.from}`}, from ${r.source})`;
  return `${head}\n${makeTable(['VM', 'SERIES', 'STATE', 'VALUE', 'HELD', 'SINCE / REASON'], rows)}`;
}
