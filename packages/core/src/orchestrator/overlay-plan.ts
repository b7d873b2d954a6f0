/**
 * The overlay as data: which address each VM gets, what each VM's WireGuard is told (its peers, its
 * /etc/hosts names) and how the status scripts' output reads. Pure: no store, no VM, no network.
 */
import { OVERLAY_PORT } from '../firewall.js';
import type { OverlaySpec } from '../model.js';

/** The interface every VM's overlay uses. */
export const OVERLAY_IFACE = 'cbo0';

/** A VM as the overlay needs it. */
export interface OverlayMember {
  name: string;
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
 * first time, one `peer` line per other member with a key and an address, `host` lines for every member.
 */
export function setupConfig(self: OverlayMember, members: readonly OverlayMember[], o: OverlaySpec, mcis: string, privateKey?: string): string {
  const port = o.port ?? OVERLAY_PORT;
  const { bits } = range(o.cidr);
  const ready = members.filter((m) => m.overlayIp && m.overlayKey && m.publicIp);
  const lines = [`iface ${OVERLAY_IFACE}`, `addr ${self.overlayIp}/${bits}`, `port ${port}`];
  if (privateKey) lines.push(`key ${privateKey}`);
  for (const p of ready) if (p.name !== self.name) lines.push(`peer ${p.overlayKey} ${p.publicIp}:${port} ${p.overlayIp}/32`);
  for (const p of members) if (p.overlayIp) lines.push(`host ${p.overlayIp} ${p.name}.${mcis}`);
  return `${lines.join('\n')}\n`;
}

/** One VM's view of one peer: seconds since the last handshake (null: never) and a ping's RTT in ms (null: no answer). */
export interface PeerStatus {
  to: string;
  handshakeAgeSec: number | null;
  rttMs: number | null;
}

/** Reads wg-status.sh's output: `down`, or `handshake IP LATEST NOW` and `rtt IP MS|-` lines, keyed by overlay IP. */
export function parseStatus(text: string): { up: boolean; peers: Map<string, { handshakeAgeSec: number | null; rttMs: number | null }> } {
  const peers = new Map<string, { handshakeAgeSec: number | null; rttMs: number | null }>();
  const at = (ip: string) => peers.get(ip) ?? peers.set(ip, { handshakeAgeSec: null, rttMs: null }).get(ip)!;
  let up = true;
  for (const line of text.split('\n')) {
    const [kind, ip, a, b] = line.trim().split(/\s+/);
    if (kind === 'down') up = false;
    else if (kind === 'handshake' && ip) {
      const latest = Number(a);
      at(ip).handshakeAgeSec = latest > 0 && Number.isFinite(Number(b)) ? Math.max(0, Number(b) - latest) : null;
    } else if (kind === 'rtt' && ip) at(ip).rttMs = a && a !== '-' && Number.isFinite(Number(a)) ? Number(a) : null;
  }
  return { up, peers };
}
