/**
 * Prometheus exposition format (text 0.0.4) of the latest stored values, so a real Prometheus can
 * scrape cbmon: `cbmon_<metric>{ns,mcis,vm,subgroup,csp,region[,mount,device,interface]} value`.
 */
import { listen } from '../listen.js';
import { createServer, type Server } from 'node:http';
import { metricInfo } from '../metrics.js';
import type { Sample } from '../sample.js';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function metricName(field: string): string {
  return `cbmon_${field.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** One HELP/TYPE block per metric, samples sorted by labels; a timestamp-free gauge per series. */
export function renderExposition(samples: Sample[]): string {
  const byMetric = new Map<string, string[]>();
  const ages: string[] = [];
  for (const s of samples) {
    const base = `ns="${escapeLabel(s.ref.ns)}",mcis="${escapeLabel(s.ref.mcis)}",vm="${escapeLabel(s.ref.vm)}",subgroup="${escapeLabel(s.ref.subgroup)}",csp="${escapeLabel(s.ref.csp)}",region="${escapeLabel(s.ref.region)}"`;
    ages.push(`cbmon_last_sample_timestamp_seconds{${base}} ${(s.tsMs / 1000).toFixed(3)}`);
    for (const p of s.points) {
      const extra = Object.keys(p.tags)
        .sort()
        .map((k) => `,${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${escapeLabel(p.tags[k]!)}"`)
        .join('');
      for (const [field, v] of Object.entries(p.fields)) {
        const name = metricName(field);
        const list = byMetric.get(name) ?? [];
        list.push(`${name}{${base}${extra}} ${Number.isFinite(v) ? String(v) : 'NaN'}`);
        byMetric.set(name, list);
      }
    }
  }
  const out: string[] = [];
  for (const name of [...byMetric.keys()].sort()) {
    const info = metricInfo(name.slice('cbmon_'.length));
    out.push(
      `# HELP ${name} ${info ? `${info.help} (${info.unit})` : 'reported by the cbmon agent'}`,
      `# TYPE ${name} gauge`,
      ...byMetric.get(name)!.sort(),
    );
  }
  if (ages.length) {
    out.push(
      '# HELP cbmon_last_sample_timestamp_seconds when the newest stored sample of the VM was taken',
      '# TYPE cbmon_last_sample_timestamp_seconds gauge',
      ...ages.sort(),
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
