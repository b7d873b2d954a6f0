/**
 * The overlay as data: which address each VM gets, what each VM's WireGuard is told (its peers, its
 * /etc/hosts names) and how the status scripts' output reads. Pure: no store, no VM, no network.
 */
import { OVERLAY_PORT } from '../firewall.js';
import type { OverlaySpec } from '../model.js';
import type { VmPlan } from './overlay-topology.js';

/** The interface every VM's overlay uses. */
export const OVERLAY_IFACE = 'cbo0';

/** A VM as the overlay needs it. */
export interface OverlayMember {
  name: string;
  connection?: string;
  publicIp?: string | undefined;
  overlayIp?: string | undefined;
  overlayKey?: string | undefined;
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function range(cidr: string): { first: number; last: number; bits: number } {
  const [net, b] = cidr.split('/') as [string, string];
  const bits = Number(b);
  const base = toInt(net);
  // The network and broadcast addresses are never handed out.
  return { first: base + 1, last: base + 2 ** (32 - bits) - 2, bits };
}

export function inCidr(ip: string, cidr: string): boolean {
  const { first, last } = range(cidr);
  const n = toInt(ip);
  return n >= first && n <= last;
}

/**
 * Each VM's overlay address: one it already has (inside the cidr, not taken by another) stays; the
 * others get the lowest free addresses, in name order, so equal inputs give equal results.
 */
export function assignOverlayIps(cidr: string, vms: readonly OverlayMember[]): Map<string, string> {
  const { first, last } = range(cidr);
  const out = new Map<string, string>();
  const taken = new Set<number>();
  const sorted = [...vms].sort((a, b) => a.name.localeCompare(b.name));
  for (const v of sorted) {
    if (v.overlayIp && inCidr(v.overlayIp, cidr) && !taken.has(toInt(v.overlayIp))) {
      out.set(v.name, v.overlayIp);
      taken.add(toInt(v.overlayIp));
    }
  }
  let next = first;
  for (const v of sorted) {
    if (out.has(v.name)) continue;
    while (taken.has(next)) next++;
    if (next > last) throw new RangeError(`overlay ${cidr} has no free address left for ${v.name}: use a larger network`);
    out.set(v.name, toIp(next));
    taken.add(next);
  }
  return out;
}

/**
 * What wg-setup.sh reads for one VM: its address and port, its private key when it joins for the
 * first time, whether it forwards (a hub), one `peer KEY IP:PORT ALLOWED,…` line per planned peer,
 * `host` lines for every member.
 */
export function setupConfig(self: OverlayMember, plan: VmPlan, members: readonly OverlayMember[], o: OverlaySpec, mcis: string, privateKey?: string): string {
  const port = o.port ?? OVERLAY_PORT;
  const { bits } = range(o.cidr);
  const byName = new Map(members.map((m) => [m.name, m]));
  const lines = [`iface ${OVERLAY_IFACE}`, `addr ${self.overlayIp}/${bits}`, `port ${port}`, `forward ${plan.forward ? 1 : 0}`];
  if (privateKey) lines.push(`key ${privateKey}`);
  for (const p of plan.peers) {
    const m = byName.get(p.name);
    if (m?.overlayKey && m.publicIp) lines.push(`peer ${m.overlayKey} ${m.publicIp}:${port} ${p.allowedIps.join(',')}`);
  }
  for (const p of members) if (p.overlayIp) lines.push(`host ${p.overlayIp} ${p.name}.${mcis}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One VM's view of another: seconds since the last handshake with the peer that carries it (null:
 * never), a ping's RTT in ms (null: no answer), and that peer when it is not the VM itself (a hub).
 */
export interface PeerStatus {
  to: string;
  handshakeAgeSec: number | null;
  rttMs: number | null;
  via?: string;
}

/** What wg-status.sh printed: `down`, or `peer KEY ALLOWED,… LATEST NOW` and `rtt IP MS|-` lines. */
export interface ParsedStatus {
  up: boolean;
  peers: Array<{ key: string; allowedIps: string[]; handshakeAgeSec: number | null }>;
  rtt: Map<string, number | null>;
}

export function parseStatus(text: string): ParsedStatus {
  const out: ParsedStatus = { up: true, peers: [], rtt: new Map() };
  for (const line of text.split('\n')) {
    const [kind, a, b, c, d] = line.trim().split(/\s+/);
    if (kind === 'down') out.up = false;
    else if (kind === 'peer' && a && b) {
      const latest = Number(c);
      const allowedIps = b === '(none)' ? [] : b.split(',');
      out.peers.push({ key: a, allowedIps, handshakeAgeSec: latest > 0 && Number.isFinite(Number(d)) ? Math.max(0, Number(d) - latest) : null });
    } else if (kind === 'rtt' && a) out.rtt.set(a, b && b !== '-' && Number.isFinite(Number(b)) ? Number(b) : null);
  }
  return out;
}

/** One row of the matrix: for each other member, the ping, and the handshake of the peer whose allowed-ips hold its address. */
export function matrixRow(others: readonly OverlayMember[], s: ParsedStatus, nameOfKey: ReadonlyMap<string, string>): PeerStatus[] {
  return others.map((o) => {
    const ip = o.overlayIp ?? '';
    // The most specific allowed-ip wins, as in WireGuard's own routing.
    let carrier: ParsedStatus['peers'][number] | undefined;
    let best = -1;
    for (const p of s.peers) {
      for (const a of p.allowedIps) {
        const bits = Number(a.split('/')[1]);
        if (bits > best && (bits === 32 ? a === `${ip}/32` : inCidr(ip, a))) [carrier, best] = [p, bits];
      }
    }
    const via = carrier ? nameOfKey.get(carrier.key) : undefined;
    return { to: o.name, handshakeAgeSec: carrier?.handshakeAgeSec ?? null, rttMs: s.rtt.get(ip) ?? null, ...(via && via !== o.name ? { via } : {}) };
  });
}
