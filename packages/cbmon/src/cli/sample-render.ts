/** How one sample reads on a terminal (`stream`) and as a JSON line. */
import { clock, formatValue } from '../format.js';
import { metricInfo } from '../metrics.js';
import type { Sample, VmRef } from '@cloud-barista/agent/sample';
import { stripControl } from './render.js';

/** The VM's identity tags flat beside the time, sequence number and points. */
export interface SampleJson extends VmRef {
  ts: string;
  seq: number;
  points: Sample['points'];
}

export function sampleJson(s: Sample): SampleJson {
  return { ts: new Date(s.tsMs).toISOString(), ...s.ref, seq: s.seq, points: s.points };
}

/** `12:00:05 web-1 #42 cpu_utilization=12.5% disk_utilization[/]=21.7% …` */
export function compactLine(s: Sample): string {
  const parts: string[] = [];
  for (const p of s.points) {
    const key = p.tags.mount ?? p.tags.interface ?? p.tags.device;
    for (const [field, v] of Object.entries(p.fields)) {
      parts.push(
        `${field}${key ? `[${key}]` : ''}=${formatValue(v, metricInfo(field)?.unit ?? '').replace(' ', '')}`,
      );
    }
  }
  return stripControl(`${clock(s.tsMs)} ${s.ref.vm} #${s.seq} ${parts.join(' ')}`);
}
