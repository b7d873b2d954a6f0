/**
 * A VM's nftables ruleset, written into its network namespace from its VmNetPolicy. The twin's SSH
 * port on the public side is redirected to the VM's port 22 before filtering, so a rule about SSH
 * (port 22) decides whether `ssh` from the host gets in, as it does on the cloud.
 */
import type { FirewallRule } from './policy.js';

/** The host's address on every VM's public link: what the VM sees as the source of host traffic. */
export const HOST_ADDRESS = '169.254.77.1';

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function contains(cidr: string, ip: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const n = Number(bits);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(base) || !(n >= 0 && n <= 32)) return false;
  const size = 2 ** (32 - n);
  return Math.floor(ipToInt(base) / size) === Math.floor(ipToInt(ip) / size);
}

/**
 * The sources as nft set elements. The host reaches a VM from HOST_ADDRESS, but for the cloud's
 * rules it is loopback (127.0.0.1, where the user's tools run): a range holding that holds the host.
 */
function sourceSet(sources: string[]): string[] {
  const out = sources.filter((s) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(s));
  if (out.some((s) => contains(s.includes('/') ? s : `${s}/32`, '127.0.0.1'))) out.push(HOST_ADDRESS);
  return out;
}

/** The rule as an nft match; `peer` is the other end: the source of inbound traffic, the destination of outbound. */
function match(rule: FirewallRule, peer: 'saddr' | 'daddr'): string | undefined {
  const parts: string[] = [];
  if (rule.sources) {
    const set = sourceSet(rule.sources);
    if (set.length === 0) return undefined;
    parts.push(`ip ${peer} { ${set.join(', ')} }`);
  }
  const proto = rule.protocol.toLowerCase();
  const ports = rule.ports?.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  if (proto === 'tcp' || proto === 'udp') {
    parts.push(ports ? `${proto} dport { ${ports.join(', ')} }` : `meta l4proto ${proto}`);
  } else if (proto === 'icmp') {
    parts.push('meta l4proto icmp');
  } else if (proto !== 'all') {
    return undefined;
  }
  return parts.join(' ');
}

/** Chains `<name><i>` of layers: a rule that accepts goes on to the next layer (the last one accepts), one that drops drops. */
function layerChains(name: string, layers: FirewallRule[][], peer: 'saddr' | 'daddr'): string[] {
  const lines: string[] = [];
  layers.forEach((layer, i) => {
    lines.push(`  chain ${name}${i} {`);
    const pass = i === layers.length - 1 ? 'accept' : `goto ${name}${i + 1}`;
    for (const rule of layer) {
      const m = match(rule, peer);
      if (m !== undefined) lines.push(`    ${m ? `${m} ` : ''}${rule.action === 'accept' ? pass : 'drop'}`);
    }
    lines.push('    drop', '  }');
  });
  return lines;
}

/**
 * Inbound layer i is chain `l<i>`, outbound (`egress`, when the cloud has such rules) `o<i>`; what no
 * rule of a layer matches is dropped. Replies to allowed connections pass both ways.
 */
export function renderRuleset(table: string, layers: FirewallRule[][], sshPort: number, egress?: FirewallRule[][]): string {
  const lines = [`table inet ${table} {`];
  if (sshPort !== 22) {
    lines.push('  chain publish {', '    type nat hook prerouting priority dstnat;', `    iifname "eth1" tcp dport ${sshPort} redirect to :22`, '  }');
  }
  // The cloud filters what reaches the VM's NICs (eth0 private, eth1 public) only: interfaces the
  // VM makes itself (a WireGuard tunnel) are the guest's business, as on a real cloud.
  lines.push('  chain input {', '    type filter hook input priority filter; policy drop;', '    iif "lo" accept', '    iifname != { "eth0", "eth1" } accept', '    ct state established,related accept', '    ct state invalid drop');
  lines.push(layers.length === 0 ? '    accept' : '    goto l0', '  }');
  lines.push(...layerChains('l', layers, 'saddr'));
  if (egress?.length) {
    lines.push('  chain output {', '    type filter hook output priority filter; policy drop;', '    oif "lo" accept', '    oifname != { "eth0", "eth1" } accept', '    ct state established,related accept', '    ct state invalid drop', '    goto o0', '  }');
    lines.push(...layerChains('o', egress, 'daddr'));
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
