/**
 * Who peers with whom on the overlay. `mesh`: every VM with every other (n-1 tunnels each, O(n²) in
 * all). `hub`: one hub VM per connection (a cloud region); its spokes peer with it alone and send
 * the whole overlay network through it, the hubs peer with each other carrying their spokes'
 * addresses, so each VM has one tunnel and each hub (regions - 1) + spokes. Pure.
 */

export const OVERLAY_TOPOLOGIES = ['mesh', 'hub'] as const;
export type OverlayTopology = (typeof OVERLAY_TOPOLOGIES)[number];

/** A VM as the peer plan needs it: joined (an address) and where it runs. */
export interface TopologyMember {
  name: string;
  connection: string;
  overlayIp: string;
  /** It was its connection's hub at the last sync (kept while it takes part, so hubs move only when they must). */
  overlayHub?: boolean | undefined;
}

/** One peer of a VM: whom, and which overlay addresses it carries. */
export interface PlannedPeer {
  name: string;
  allowedIps: string[];
}

/** A VM's part of the plan: its peers, and whether it forwards between them (a hub). */
export interface VmPlan {
  peers: PlannedPeer[];
  forward: boolean;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Each connection's hub: the one it had while that VM still takes part, else its first VM by name. */
export function chooseHubs(members: ReadonlyArray<Pick<TopologyMember, 'name' | 'connection' | 'overlayHub'>>): Map<string, string> {
  const byConnection = new Map<string, Array<Pick<TopologyMember, 'name' | 'connection' | 'overlayHub'>>>();
  for (const m of [...members].sort(byName)) {
    const list = byConnection.get(m.connection);
    if (list) list.push(m);
    else byConnection.set(m.connection, [m]);
  }
  const hubs = new Map<string, string>();
  for (const [connection, list] of byConnection) hubs.set(connection, (list.find((m) => m.overlayHub) ?? list[0]!).name);
  return hubs;
}

/**
 * Every member's peers under `topology`. A spoke's one peer (its hub) carries the whole `cidr`; a
 * hub's peer carries that hub's address and its spokes', a spoke's its own address.
 */
export function planPeers(members: readonly TopologyMember[], topology: OverlayTopology, cidr: string, hubs = chooseHubs(members)): Map<string, VmPlan> {
  const sorted = [...members].sort(byName);
  const out = new Map<string, VmPlan>();
  if (topology === 'mesh') {
    for (const self of sorted) out.set(self.name, { forward: false, peers: sorted.filter((p) => p.name !== self.name).map((p) => ({ name: p.name, allowedIps: [`${p.overlayIp}/32`] })) });
    return out;
  }
  const hubNames = new Set(hubs.values());
  const spokesOf = (connection: string) => sorted.filter((m) => m.connection === connection && !hubNames.has(m.name));
  const carried = new Map<string, string[]>();
  for (const [connection, hub] of hubs) {
    const h = sorted.find((m) => m.name === hub)!;
    carried.set(hub, [h, ...spokesOf(connection)].map((m) => `${m.overlayIp}/32`));
  }
  for (const self of sorted) {
    const hub = hubs.get(self.connection)!;
    if (hub !== self.name) {
      out.set(self.name, { forward: false, peers: [{ name: hub, allowedIps: [cidr] }] });
      continue;
    }
    const otherHubs = [...hubNames].filter((h) => h !== self.name).map((h) => ({ name: h, allowedIps: carried.get(h)! }));
    const spokes = spokesOf(self.connection).map((s) => ({ name: s.name, allowedIps: [`${s.overlayIp}/32`] }));
    out.set(self.name, { forward: true, peers: [...otherHubs, ...spokes].sort(byName) });
  }
  return out;
}

/** A VM as the overlay's firewall rule needs it: where it runs and its public address. */
export interface SourceMember {
  name: string;
  connection: string;
  publicIp?: string | undefined;
}

/**
 * The sources one connection's MCIS firewall opens the overlay's UDP port to: the public /32 of
 * every peer of a VM there, as planPeers pairs them. Only public addresses: WireGuard's endpoints are
 * the VMs' public IPs, so that is where its packets come from. `mesh` (no `hubs`): every VM.
 * `hub`: the connection's own VMs (its hub's spokes, and the hub of each spoke) and the other
 * connections' hubs; the own VMs include the suspended ones, so a resumed spoke needs no new rule.
 */
export function overlaySources(connection: string, vms: readonly SourceMember[], hubs?: ReadonlyMap<string, string>): string[] {
  const hubNames = hubs ? new Set(hubs.values()) : undefined;
  const peers = hubNames ? vms.filter((v) => v.connection === connection || hubNames.has(v.name)) : vms;
  return [...new Set(peers.flatMap((v) => (v.publicIp ? [`${v.publicIp}/32`] : [])))].sort();
}
