/**
 * Manifest firewall rules (`spec.firewall`, `spec.subgroups[].firewall`, `spec.ssh`): checking them
 * with field paths, resolving their sources (`subgroup:NAME`, `mcis`) to the VMs' addresses, and
 * listing what changed between two manifests. Pure: no store, no cloud call.
 */
import type { FieldIssue } from './errors.js';
import type { FirewallRule, FirewallRuleSpec, Mcis, OverlaySpec, SshAccess } from './model.js';

export const ANYWHERE = '0.0.0.0/0';
export const SSH_PORT = 22;
export const OVERLAY_PORT = 51820;

/** The rule the overlay adds while it is on, as plans show it: its UDP port, from the MCIS's VMs only (their public addresses, resolveRules). */
export function overlayRule(o: OverlaySpec): FirewallRuleSpec {
  return { ports: String(o.port ?? OVERLAY_PORT), protocol: 'udp', from: ['mcis'] };
}

/** A port range; `all` is 0-65535 (what EC2 calls all ports of a protocol). */
export interface PortRange {
  from: number;
  to: number;
}

/** Parses `80`, `80,443`, `8080-8090` or `all`; an error message when it is none of those. */
export function parsePorts(text: string): PortRange[] | string {
  if (text.trim() === 'all') return [{ from: 0, to: 65535 }];
  const out: PortRange[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) return `'${part}' is not a port or a range: use e.g. "80,443", "8080-8090" or "all"`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535) return `'${part}': ports are 1-65535`;
    if (from > to) return `'${part}': the range runs backwards (write ${to}-${from})`;
    out.push({ from, to });
  }
  return out;
}

/** Why `text` is not an IPv4 CIDR in canonical form, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return `'${text}' is not an IPv4 CIDR (e.g. 203.0.113.0/24, 198.51.100.7/32), 'subgroup:NAME' or 'mcis'`;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return `'${text}' is not a valid IPv4 CIDR`;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (ip % size !== 0) {
    const net = ip - (ip % size);
    const canon = [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.');
    return `'${text}' has host bits set: write ${canon}/${bits}`;
  }
  return undefined;
}

/** What a manifest says about its firewall (also what an MCIS record keeps of it). */
export interface FirewallIntent {
  firewall?: FirewallRuleSpec[];
  ssh?: SshAccess;
  /** The overlay, when on: its port is opened to the MCIS (overlayRule). */
  overlay?: OverlaySpec;
  subgroups: ReadonlyArray<{ name: string; connection?: string; firewall?: FirewallRuleSpec[] }>;
}

/** What an MCIS record keeps of its manifest's firewall. */
export function intentOf(m: Pick<Mcis, 'firewall' | 'ssh' | 'subgroups'> & Partial<Pick<Mcis, 'overlay'>>): FirewallIntent {
  return { ...(m.firewall ? { firewall: m.firewall } : {}), ...(m.ssh ? { ssh: m.ssh } : {}), ...(m.overlay ? { overlay: m.overlay } : {}), subgroups: m.subgroups };
}

/** Whether the MCIS wants a firewall of its own (any rule, or SSH narrowed). */
export function wantsFirewall(f: FirewallIntent): boolean {
  return !!(f.firewall?.length || f.ssh || f.overlay || f.subgroups.some((s) => s.firewall?.length));
}

/** Field issues of every rule and the ssh block: bad ports, bad CIDRs, unknown subgroups. */
export function firewallIssues(f: FirewallIntent): FieldIssue[] {
  const names = new Set(f.subgroups.map((s) => s.name));
  const issues: FieldIssue[] = [];
  const source = (s: string, path: string) => {
    if (s === 'mcis') return;
    if (s.startsWith('subgroup:')) {
      const sg = s.slice('subgroup:'.length);
      if (!names.has(sg)) issues.push({ path, message: `no subgroup '${sg}' in this MCIS (its subgroups: ${[...names].join(', ')})` });
      return;
    }
    const bad = cidrProblem(s);
    if (bad) issues.push({ path, message: bad });
  };
  const rules = (list: FirewallRuleSpec[] | undefined, base: string) =>
    list?.forEach((r, i) => {
      const ports = parsePorts(r.ports);
      if (typeof ports === 'string') issues.push({ path: `${base}[${i}].ports`, message: ports });
      r.from.forEach((s, j) => source(s, `${base}[${i}].from[${j}]`));
    });
  rules(f.firewall, 'spec.firewall');
  f.subgroups.forEach((sg, k) => rules(sg.firewall, `spec.subgroups[${k}].firewall`));
  f.ssh?.from.forEach((s, j) => {
    const bad = cidrProblem(s);
    if (bad) issues.push({ path: `spec.ssh.from[${j}]`, message: s === 'mcis' || s.startsWith('subgroup:') ? `SSH is narrowed to CIDRs only: ${bad}` : bad });
  });
  return issues;
}

/** A VM as far as source resolution needs it. */
export interface FirewallMember {
  subgroup: string;
  connection: string;
  publicIp?: string | undefined;
  privateIp?: string | undefined;
}

const hostsOf = (vms: readonly FirewallMember[]) => vms.flatMap((v) => [v.publicIp, v.privateIp].filter((ip): ip is string => !!ip).map((ip) => `${ip}/32`));

/**
 * The exact rule set one connection's MCIS firewall must hold: the MCIS-wide rules, the rules of the
 * subgroups placed on that connection, the overlay's UDP port, and SSH (from `ssh.from`, default
 * anywhere). `subgroup:NAME` stands for that subgroup's VMs' public and private addresses (/32),
 * `mcis` for every VM's. The overlay's port is open to `overlayFrom` (the peers' addresses, see
 * overlaySources), by default to every VM's public address. Sorted and without duplicates: equal
 * inputs give equal lists.
 */
export function resolveRules(f: FirewallIntent, connection: string, vms: readonly FirewallMember[], overlayFrom?: readonly string[]): FirewallRule[] {
  const specs: FirewallRuleSpec[] = [...(f.firewall ?? []), ...f.subgroups.filter((s) => s.connection === connection).flatMap((s) => s.firewall ?? [])];
  const out = new Map<string, FirewallRule>();
  const add = (protocol: 'tcp' | 'udp', p: PortRange, source: string) => {
    const r: FirewallRule = { protocol, fromPort: p.from, toPort: p.to, source };
    out.set(ruleKey(r), r);
  };
  for (const spec of specs) {
    const ports = parsePorts(spec.ports);
    if (typeof ports === 'string') continue; // validation reported it
    const sources = spec.from.flatMap((s) => {
      if (s === 'mcis') return hostsOf(vms);
      if (s.startsWith('subgroup:')) return hostsOf(vms.filter((v) => v.subgroup === s.slice('subgroup:'.length)));
      return [s];
    });
    for (const p of ports) for (const s of sources) add(spec.protocol ?? 'tcp', p, s);
  }
  if (f.overlay) {
    const port = f.overlay.port ?? OVERLAY_PORT;
    for (const s of overlayFrom ?? vms.flatMap((v) => (v.publicIp ? [`${v.publicIp}/32`] : []))) add('udp', { from: port, to: port }, s);
  }
  for (const s of f.ssh?.from ?? [ANYWHERE]) add('tcp', { from: SSH_PORT, to: SSH_PORT }, s);
  return [...out.values()].sort((a, b) => ruleKey(a).localeCompare(ruleKey(b)));
}

/** `tcp/8080-8080/203.0.113.7/32`: equal rules, equal keys. */
export function ruleKey(r: FirewallRule): string {
  return `${r.protocol}/${r.fromPort}-${r.toPort}/${r.source}`;
}

/** A manifest rule as a plan shows it: `tcp 8080 from subgroup:web`. */
export function ruleLabel(r: FirewallRuleSpec): string {
  return `${r.protocol ?? 'tcp'} ${r.ports} from ${r.from.join(', ')}`;
}

/** The manifest rules of an intent, labelled by where they apply (MCIS-wide, a subgroup, spec.ssh). */
function labelled(f: FirewallIntent): Set<string> {
  const out = new Set<string>();
  for (const r of f.firewall ?? []) out.add(`${ruleLabel(r)} (MCIS-wide)`);
  for (const s of f.subgroups) for (const r of s.firewall ?? []) out.add(`${ruleLabel(r)} (subgroup ${s.name})`);
  // The network is part of the label: a new cidr is a change apply carries out (the VMs renumbered).
  if (f.overlay) out.add(`${ruleLabel(overlayRule(f.overlay))} (spec.network.overlay ${f.overlay.cidr})`);
  // SSH from anywhere is the default with or without a firewall: only a narrowed one is a rule of its own.
  if (f.ssh) out.add(`tcp ${SSH_PORT} from ${f.ssh.from.join(', ')} (spec.ssh)`);
  return out;
}

/** Manifest rules added and removed between the recorded intent and the wanted one. */
export function firewallChanges(before: FirewallIntent | undefined, after: FirewallIntent): { added: string[]; removed: string[] } {
  const b = before ? labelled(before) : new Set<string>();
  const a = labelled(after);
  return { added: [...a].filter((x) => !b.has(x)).sort(), removed: [...b].filter((x) => !a.has(x)).sort() };
}
