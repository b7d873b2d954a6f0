/**
 * The metric catalog: CB-Dragonfly's names, grouped in measurements as the agent writes them, with
 * units (for Prometheus HELP and tables) and the tags that tell a VM's disks and interfaces apart.
 */
import { UsageError } from '@cloud-barista/core/errors';

export const MEASUREMENTS = ['cpu', 'mem', 'disk', 'diskio', 'net', 'overlay', 'system'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** Tags every line carries: who the sample is from. */
export const IDENTITY_TAGS = ['ns', 'mcis', 'vm', 'csp', 'region', 'subgroup'] as const;

export interface MetricInfo {
  name: string;
  measurement: Measurement;
  unit:
    | '%'
    | 'bytes'
    | 'kB/s'
    | 'ops/s'
    | 'bytes/s'
    | 'packets/s'
    | 'errors/s'
    | 'drops/s'
    | 'load'
    | 'seconds'
    | 'peers';
  help: string;
}

const m = (name: string, measurement: Measurement, unit: MetricInfo['unit'], help: string): MetricInfo => ({
  name,
  measurement,
  unit,
  help,
});

export const METRICS: readonly MetricInfo[] = [
  m('cpu_utilization', 'cpu', '%', 'CPU busy time (not idle, not iowait)'),
  m('cpu_user', 'cpu', '%', 'CPU time in user mode'),
  m('cpu_nice', 'cpu', '%', 'CPU time in user mode at low priority'),
  m('cpu_system', 'cpu', '%', 'CPU time in the kernel'),
  m('cpu_idle', 'cpu', '%', 'CPU idle time'),
  m('cpu_iowait', 'cpu', '%', 'CPU idle time waiting for I/O'),
  m('cpu_irq', 'cpu', '%', 'CPU time serving interrupts'),
  m('cpu_softirq', 'cpu', '%', 'CPU time serving soft interrupts'),
  m('cpu_steal', 'cpu', '%', 'CPU time taken by the hypervisor for other guests'),
  m('mem_utilization', 'mem', '%', 'memory used (total - free - buffers - cache) as a share of total'),
  m('mem_total', 'mem', 'bytes', 'total memory'),
  m('mem_used', 'mem', 'bytes', 'memory used (total - free - buffers - cache)'),
  m('mem_free', 'mem', 'bytes', 'unused memory'),
  m('mem_available', 'mem', 'bytes', 'memory available to new programs without swapping'),
  m('mem_buffers', 'mem', 'bytes', 'memory in kernel buffers'),
  m('mem_cached', 'mem', 'bytes', 'memory in the page cache and reclaimable slabs'),
  m('disk_utilization', 'disk', '%', 'file system space used (as df reports Capacity)'),
  m('disk_total', 'disk', 'bytes', 'file system size'),
  m('disk_used', 'disk', 'bytes', 'file system space used'),
  m('disk_free', 'disk', 'bytes', 'file system space available to unprivileged users'),
  m('kb_read', 'diskio', 'kB/s', 'data read from the device'),
  m('kb_written', 'diskio', 'kB/s', 'data written to the device'),
  m('ops_read', 'diskio', 'ops/s', 'read operations completed'),
  m('ops_write', 'diskio', 'ops/s', 'write operations completed'),
  m('bytes_in', 'net', 'bytes/s', 'bytes received'),
  m('bytes_out', 'net', 'bytes/s', 'bytes sent'),
  m('pkts_in', 'net', 'packets/s', 'packets received'),
  m('pkts_out', 'net', 'packets/s', 'packets sent'),
  m('err_in', 'net', 'errors/s', 'receive errors'),
  m('err_out', 'net', 'errors/s', 'transmit errors'),
  m('drop_in', 'net', 'drops/s', 'received packets dropped'),
  m('drop_out', 'net', 'drops/s', 'packets dropped on send'),
  // Only from VMs in an MCIS overlay (cbadm mcis network): the WireGuard interface's traffic, which
  // net also counts (as interface cbo0) beside the underlay that carries it encrypted.
  m('overlay_rx_bytes', 'overlay', 'bytes/s', 'bytes received over the MCIS overlay (WireGuard interface)'),
  m('overlay_tx_bytes', 'overlay', 'bytes/s', 'bytes sent over the MCIS overlay (WireGuard interface)'),
  m('overlay_rx_packets', 'overlay', 'packets/s', 'packets received over the MCIS overlay'),
  m('overlay_tx_packets', 'overlay', 'packets/s', 'packets sent over the MCIS overlay'),
  m('overlay_peers', 'overlay', 'peers', 'overlay peers configured (needs the agent to run as root)'),
  m('overlay_peers_up', 'overlay', 'peers', 'overlay peers with a handshake in the last 180 s (needs root)'),
  m(
    'overlay_handshake_age_seconds',
    'overlay',
    'seconds',
    "age of the stalest peer's latest WireGuard handshake (needs root)",
  ),
  m('load1', 'system', 'load', 'load average over 1 minute'),
  m('load5', 'system', 'load', 'load average over 5 minutes'),
  m('load15', 'system', 'load', 'load average over 15 minutes'),
  m('uptime', 'system', 'seconds', 'time since boot'),
];

const BY_NAME = new Map(METRICS.map((x) => [x.name, x]));

export function metricInfo(name: string): MetricInfo | undefined {
  return BY_NAME.get(name);
}

/** A metric name, or a UsageError listing the measurements and pointing at the catalog. */
export function requireMetric(name: string, what = '--metric'): MetricInfo {
  const info = BY_NAME.get(name);
  if (info) return info;
  const near = METRICS.filter((x) => x.name.includes(name) || name.includes(x.measurement)).map(
    (x) => x.name,
  );
  throw new UsageError(`${what}: unknown metric '${name}'`, {
    hint: near.length
      ? `did you mean ${near.slice(0, 4).join(', ')}?`
      : `metrics are named like cpu_utilization, mem_used, disk_utilization, kb_read, bytes_in, load1 (measurements: ${MEASUREMENTS.join(', ')})`,
    issues: [{ path: what, message: `unknown metric '${name}'` }],
  });
}

/**
 * The metric a measurement name stands for where one metric is wanted (`query`): `stream` shows a
 * measurement whole, `query` its headline. Measurements without one (diskio, net, overlay, system) hold
 * metrics too unlike to pick for the user.
 */
const HEADLINE: Partial<Record<Measurement, string>> = {
  cpu: 'cpu_utilization',
  mem: 'mem_utilization',
  disk: 'disk_utilization',
};

/**
 * One metric from the names `stream --metric` takes too: a metric name, or a measurement
 * (cpu → cpu_utilization, mem → mem_utilization, disk → disk_utilization).
 */
export function resolveMetric(name: string, what = '--metric'): MetricInfo {
  const measurement = MEASUREMENTS.find((x) => x === name);
  if (!measurement) return requireMetric(name, what);
  const headline = HEADLINE[measurement];
  if (headline) return BY_NAME.get(headline)!;
  const names = METRICS.filter((x) => x.measurement === measurement).map((x) => x.name);
  throw new UsageError(`${what}: '${name}' is a measurement of ${names.length} metrics; this takes one`, {
    hint: `name one of ${names.join(', ')}`,
    issues: [{ path: what, message: `'${name}' names several metrics` }],
  });
}

/**
 * `cpu,mem_utilization` → the field names it selects: a measurement selects all its metrics.
 * Empty input selects everything.
 */
export function selectMetrics(list: string | undefined, what = '--metric'): Set<string> {
  if (!list || list.trim() === '') return new Set(METRICS.map((x) => x.name));
  const out = new Set<string>();
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if ((MEASUREMENTS as readonly string[]).includes(name)) {
      for (const x of METRICS) if (x.measurement === name) out.add(x.name);
    } else {
      out.add(requireMetric(name, what).name);
    }
  }
  return out;
}
