/** What the collector measures about itself: throughput, sample-to-store latency, loss, CPU. */

/**
 * Latencies of recent samples (a ring of at most `size`), summarised over the last `windowMs`: the
 * figure says how the collector keeps up now, not how it did while connecting an hour ago.
 */
export class LatencyWindow {
  private readonly values: Float64Array;
  private readonly at: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    size = 50_000,
    private readonly windowMs = 60_000,
  ) {
    this.values = new Float64Array(size);
    this.at = new Float64Array(size);
  }

  add(ms: number, now = Date.now()): void {
    this.values[this.next] = ms;
    this.at[this.next] = now;
    this.next = (this.next + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
  }

  summary(now = Date.now()): { n: number; p50: number | null; p95: number | null; max: number | null } {
    const recent: number[] = [];
    for (let i = 0; i < this.count; i++) if (this.at[i]! >= now - this.windowMs) recent.push(this.values[i]!);
    if (recent.length === 0) return { n: 0, p50: null, p95: null, max: null };
    recent.sort((a, b) => a - b);
    const q = (p: number) => recent[Math.min(recent.length - 1, Math.ceil(p * recent.length) - 1)]!;
    return { n: recent.length, p50: q(0.5), p95: q(0.95), max: recent.at(-1)! };
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
  /** Sample time → committed to the store, over the last minute (live samples; backlog replays excluded). */
  latencyMs: { n: number; p50: number | null; p95: number | null; max: number | null };
  /** This process, % of one core, over the last stats interval. */
  cpuPercent: number;
  rollups: number;
  alertsSent: number;
}
