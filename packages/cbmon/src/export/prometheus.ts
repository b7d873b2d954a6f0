/**
 * Prometheus exposition format (text 0.0.4) of the latest stored values, so a real Prometheus can
 * scrape cbmon: `cbmon_<metric>{ns,mcis,vm,subgroup,csp,region[,mount,device,interface]} value`.
 */
import { listen } from '../listen.js';
import { createServer, type Server } from 'node:http';
import { metricInfo } from '../metrics.js';
import type { Sample } from '@cloud-barista/agent/sample';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const IDENTITY_LABELS = ['ns', 'mcis', 'vm', 'subgroup', 'csp', 'region'];
const AGE_METRIC = 'cbmon_last_sample_timestamp_seconds';

/** A valid metric name: `cbmon_` + the field with anything outside [a-zA-Z0-9_] as `_`. */
export function metricName(field: string): string {
  return `cbmon_${field.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * Series tags → label names Prometheus accepts: [a-zA-Z_][a-zA-Z0-9_]*, not `__…` (reserved), not
 * an identity label, and distinct (`a-b` and `a_b` become `a_b` and `a_b_2`). Keys in sorted order,
 * so the same tags always get the same names.
 */
export function labelNames(keys: string[]): Map<string, string> {
  const taken = new Set(IDENTITY_LABELS);
  const out = new Map<string, string>();
  for (const key of [...keys].sort()) {
    let name = key.replace(/[^a-zA-Z0-9_]/g, '_');
    if (name === '' || /^[0-9]/.test(name)) name = `_${name}`;
    if (name.startsWith('__')) name = `tag${name}`;
    if (IDENTITY_LABELS.includes(name)) name = `tag_${name}`;
    let unique = name;
    for (let i = 2; taken.has(unique); i++) unique = `${name}_${i}`;
    taken.add(unique);
    out.set(key, unique);
  }
  return out;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

/**
 * One HELP/TYPE block per metric, samples sorted by labels; a timestamp-free gauge per series. A
 * series that would appear twice (two points with the same tags) is written once: Prometheus
 * refuses a whole scrape with a duplicate.
 */
export function renderExposition(samples: Sample[]): string {
  const byMetric = new Map<string, Map<string, string>>();
  const ages = new Map<string, string>();
  for (const s of samples) {
    const base = `ns="${escapeLabel(s.ref.ns)}",mcis="${escapeLabel(s.ref.mcis)}",vm="${escapeLabel(s.ref.vm)}",subgroup="${escapeLabel(s.ref.subgroup)}",csp="${escapeLabel(s.ref.csp)}",region="${escapeLabel(s.ref.region)}"`;
    if (!ages.has(base)) ages.set(base, `${AGE_METRIC}{${base}} ${(s.tsMs / 1000).toFixed(3)}`);
    for (const p of s.points) {
      const names = labelNames(Object.keys(p.tags));
      const extra = [...names.entries()]
        .sort((a, b) => (a[1] < b[1] ? -1 : 1))
        .map(([k, n]) => `,${n}="${escapeLabel(p.tags[k]!)}"`)
        .join('');
      for (const [field, v] of Object.entries(p.fields)) {
        const name = metricName(field);
        if (name === AGE_METRIC) continue;
        let series = byMetric.get(name);
        if (!series) {
          series = new Map();
          byMetric.set(name, series);
        }
        const labels = `{${base}${extra}}`;
        if (!series.has(labels)) series.set(labels, `${name}${labels} ${formatValue(v)}`);
      }
    }
  }
  const out: string[] = [];
  for (const name of [...byMetric.keys()].sort()) {
    const info = metricInfo(name.slice('cbmon_'.length));
    out.push(
      `# HELP ${name} ${info ? `${info.help} (${info.unit})` : 'reported by the cbmon agent'}`,
      `# TYPE ${name} gauge`,
      ...[...byMetric.get(name)!.values()].sort(),
    );
  }
  if (ages.size) {
    out.push(
      `# HELP ${AGE_METRIC} when the newest stored sample of the VM was taken`,
      `# TYPE ${AGE_METRIC} gauge`,
      ...[...ages.values()].sort(),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Serves `GET /metrics` from `latest()` on every scrape. Resolves once listening. */
export async function servePrometheus(opts: {
  host: string;
  port: number;
  latest: () => Sample[];
}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      let body: string;
      try {
        body = renderExposition(opts.latest());
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`cbmon: ${(e as Error).message}\n`);
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
        .end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res
      .writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain' })
      .end('cbmon exporter: metrics at /metrics\n');
  });
  const base = await listen(server, opts.host, opts.port, '--listen');
  return { server, url: `${base}/metrics` };
}
