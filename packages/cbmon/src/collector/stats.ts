/** What the collector measures about itself: throughput, sample-to-store latency, loss, CPU. */

/** Latencies of the last `size` samples (a ring), for percentiles without unbounded memory. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size = 20_000) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
  }

  summary(): { n: number; p50: number | null; p95: number | null; max: number | null } {
    if (this.count === 0) return { n: 0, p50: null, p95: null, max: null };
    const sorted = Array.from(this.values.subarray(0, this.count)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { n: this.count, p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
  }
}

/** CPU used by this process between calls, as % of one core. */
export class CpuMeter {
  private last = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): number {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(this.last);
    const wallUs = Number(now - this.lastAt) / 1_000;
    this.last = process.cpuUsage();
    this.lastAt = now;
    return wallUs > 0 ? (100 * (usage.user + usage.system)) / wallUs : 0;
  }
}

export interface AgentRuntime {
  ns: string;
  mcis: string;
  vm: string;
  mode: 'pull' | 'push';
  state: string;
  detail: string | null;
  lastSeq: number;
  lastSampleAt: string | null;
  lost: number;
}

/** The stats document (`collector status --json`). Change only additively. */
export interface CollectorStats {
  pid: number;
  startedAt: string;
  updatedAt: string;
  pushUrl: string | null;
  agents: AgentRuntime[];
  /** Samples stored since start (replays not counted). */
  stored: number;
  /** Stored samples per second over the last stats interval. */
  rate: number;
  /** Samples the agents' rings no longer had when read (target: 0). */
  lost: number;
  /** Sample time → committed to the store. */
  latencyMs: { n: number; p50: number | null; p95: number | null; max: number | null };
  /** This process, % of one core, over the last stats interval. */
  cpuPercent: number;
  rollups: number;
  alertsSent: number;
}
