/**
 * The state behind `cbmon watch`: per VM the latest cpu, memory, disk and network figures and a
 * short history for sparklines. Pure: samples in, frames out.
 */
import { clock, formatValue, humanBytes } from '../format.js';
import { sparkline } from '../query/plot.js';
import type { Sample } from '@cloud-barista/agent/sample';
import { makeTable } from './render.js';

const HISTORY = 30;

export interface WatchRow {
  vm: string;
  state: string;
  lastSample: string | null;
  cpu: number | null;
  mem: number | null;
  /** The fullest file system. */
  disk: number | null;
  netIn: number | null;
  netOut: number | null;
  /** The MCIS overlay's traffic (within NET too); null while the VM has no overlay interface. */
  overlayIn: number | null;
  overlayOut: number | null;
  history: { cpu: Array<number | null>; mem: Array<number | null>; net: Array<number | null> };
}

export interface WatchFrame {
  at: string;
  mcis: string;
  vms: WatchRow[];
}

function push(list: Array<number | null>, v: number | null): void {
  list.push(v);
  if (list.length > HISTORY) list.shift();
}

export class WatchModel {
  private readonly rows = new Map<string, WatchRow & { lastTs: number }>();

  constructor(
    private readonly mcis: string,
    vms: string[],
  ) {
    for (const vm of vms) {
      this.rows.set(vm, {
        vm,
        state: 'connecting',
        lastSample: null,
        lastTs: 0,
        cpu: null,
        mem: null,
        disk: null,
        netIn: null,
        netOut: null,
        overlayIn: null,
        overlayOut: null,
        history: { cpu: [], mem: [], net: [] },
      });
    }
  }

  state(vm: string, state: string): void {
    const r = this.rows.get(vm);
    if (r) r.state = state;
  }

  add(s: Sample): void {
    const r = this.rows.get(s.ref.vm);
    if (!r || s.tsMs <= r.lastTs) return;
    const sum = (measurement: string, field: string): number | null => {
      const vals = s.points
        .filter((p) => p.measurement === measurement && p.fields[field] !== undefined)
        .map((p) => p.fields[field]!);
      return vals.length ? vals.reduce((a, b) => a + b, 0) : null;
    };
    const disks = s.points.filter((p) => p.measurement === 'disk').map((p) => p.fields.disk_utilization ?? 0);
    r.lastTs = s.tsMs;
    r.lastSample = new Date(s.tsMs).toISOString();
    r.cpu = sum('cpu', 'cpu_utilization');
    r.mem = sum('mem', 'mem_utilization');
    r.disk = disks.length ? Math.max(...disks) : null;
    r.netIn = sum('net', 'bytes_in');
    r.netOut = sum('net', 'bytes_out');
    r.overlayIn = sum('overlay', 'overlay_rx_bytes');
    r.overlayOut = sum('overlay', 'overlay_tx_bytes');
    push(r.history.cpu, r.cpu);
    push(r.history.mem, r.mem);
    push(r.history.net, r.netIn === null && r.netOut === null ? null : (r.netIn ?? 0) + (r.netOut ?? 0));
    r.state = 'streaming';
  }

  frame(now = Date.now()): WatchFrame {
    return {
      at: new Date(now).toISOString(),
      mcis: this.mcis,
      vms: [...this.rows.values()].map(({ lastTs: _ignored, ...row }) => ({
        ...row,
        history: { cpu: [...row.history.cpu], mem: [...row.history.mem], net: [...row.history.net] },
      })),
    };
  }
}

const inOut = (i: number | null, o: number | null): string =>
  i === null ? '-' : `${humanBytes(i, '/s')} / ${humanBytes(o ?? 0, '/s')}`;

export function renderFrame(f: WatchFrame): string {
  // The overlay column only where some VM has an overlay.
  const overlay = f.vms.some((r) => r.overlayIn !== null);
  const table = makeTable(
    ['VM', 'STATE', 'CPU', '', 'MEM', '', 'DISK', 'NET IN/OUT', '', ...(overlay ? ['OVERLAY IN/OUT'] : []), 'SAMPLE'],
    f.vms.map((r) => [
      r.vm,
      r.state,
      formatValue(r.cpu, '%'),
      sparkline(r.history.cpu, { min: 0, max: 100 }),
      formatValue(r.mem, '%'),
      sparkline(r.history.mem, { min: 0, max: 100 }),
      formatValue(r.disk, '%'),
      inOut(r.netIn, r.netOut),
      sparkline(r.history.net),
      ...(overlay ? [inOut(r.overlayIn, r.overlayOut)] : []),
      r.lastSample ? clock(Date.parse(r.lastSample)) : '-',
    ]),
  );
  return `cbmon watch ${f.mcis} · ${clock(Date.parse(f.at))} · Ctrl-C to quit\n${table}\n`;
}
