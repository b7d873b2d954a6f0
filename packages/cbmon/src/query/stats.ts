/** Statistics over aggregate points (raw samples and rollups alike), and grouping of series. */
import type { AggPoint, SeriesData } from '@cloud-barista/agent/store/types';

export const STATS = ['avg', 'min', 'max', 'last', 'p95', 'count'] as const;
export type Stat = (typeof STATS)[number];

export const GROUP_BY = ['vm', 'subgroup', 'csp', 'region', 'series', 'all'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The statistic of the points, or null when there are none. p95 is nearest-rank, weighted by count. */
export function stat(points: AggPoint[], s: Stat): number | null {
  if (points.length === 0) return null;
  switch (s) {
    case 'avg': {
      let sum = 0;
      let n = 0;
      for (const p of points) {
        sum += p.sum;
        n += p.n;
      }
      return n ? sum / n : null;
    }
    case 'min':
      return Math.min(...points.map((p) => p.min));
    case 'max':
      return Math.max(...points.map((p) => p.max));
    case 'count':
      return points.reduce((a, p) => a + p.n, 0);
    case 'last': {
      // Several series (VMs, disks) may share the newest time: average them.
      const ts = Math.max(...points.map((p) => p.ts));
      const at = points.filter((p) => p.ts === ts);
      return at.reduce((a, p) => a + p.last, 0) / at.length;
    }
    case 'p95': {
      const vals = points.map((p) => ({ v: p.sum / p.n, w: p.n })).sort((a, b) => a.v - b.v);
      const total = vals.reduce((a, x) => a + x.w, 0);
      const rank = Math.ceil(0.95 * total);
      let seen = 0;
      for (const x of vals) {
        seen += x.w;
        if (seen >= rank) return x.v;
      }
      return vals.at(-1)!.v;
    }
  }
}

export function groupKey(s: SeriesData, by: GroupBy): string {
  switch (by) {
    case 'vm':
      return s.ref.vm;
    case 'subgroup':
      return s.ref.subgroup;
    case 'csp':
      return s.ref.csp;
    case 'region':
      return s.ref.region;
    case 'series':
      return s.tags ? `${s.ref.vm} ${s.tags}` : s.ref.vm;
    case 'all':
      return 'all';
  }
}
