/**
 * What a cloud's engine tells isolation about one VM: the network (VPC, GCE network, VNet) whose
 * bridge it joins, its private address there, its name, and its inbound firewall as layers of rules
 * (EC2, OpenStack and Cloudit security groups: one allow-only layer; GCE firewall rules and Alibaba
 * security groups: one layer by priority; Azure: one layer per NSG on the subnet and on the NIC —
 * traffic must pass every layer). No layers: all open.
 */
export interface FirewallRule {
  action: 'accept' | 'drop';
  /** `tcp`, `udp`, `icmp` or `all`; other protocols are left out of the ruleset. */
  protocol: string;
  /** Inclusive port ranges; none means every port. */
  ports?: Array<[number, number]>;
  /** IPv4 CIDRs (or plain addresses) of the other end (destinations of egress rules); none means anywhere. */
  sources?: string[];
}

export interface VmNetPolicy {
  /** Unique per provider, account and network, e.g. `aws:ap-northeast-2:vpc-…`. */
  network: string;
  privateIp?: string;
  /** Prefix length of the subnet the private IP is in. */
  prefixLength?: number;
  hostname: string;
  layers: FirewallRule[][];
  /**
   * Its outbound firewall, in layers like `layers`, where a rule's `sources` are the destinations;
   * none: all outbound open (clouds without egress rules, and the twin's default).
   */
  egress?: FirewallRule[][];
}

/** Each provider answers for its own VMs (by lifecycle id) and undefined for the others'. */
export type PolicySource = (vmId: string) => VmNetPolicy | undefined;

/** `22`, `8000-8080`, `*` → port ranges (undefined: all ports); malformed parts are skipped. */
export function portRanges(specs: string[] | undefined): Array<[number, number]> | undefined {
  if (!specs || specs.length === 0 || specs.some((s) => s === '*' || s === '0-65535')) return undefined;
  const out: Array<[number, number]> = [];
  for (const s of specs) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
    if (m) out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

/** The prefix length of `a.b.c.d/n`. */
export function prefixOf(cidr: string | undefined): number | undefined {
  const n = Number(cidr?.split('/')[1]);
  return Number.isInteger(n) && n >= 0 && n <= 32 ? n : undefined;
}
