/**
 * The wires of isolated VMs. Every VPC/network is a bridge in the twin's fabric namespace; a running
 * VM is a network namespace whose `eth0` is on its network's bridge with its private IP, and whose
 * `eth1` is a point-to-point link to the host carrying its public IP: the host routes that one
 * 127.x.y.z address (a /32 in the host's `local` table, which outranks the 127/8 loopback route)
 * to the link, with `route_localnet` on the twin's own links only. Bridges of different networks
 * are not connected, so VPCs do not reach each other on private IPs; VMs reach each other's public
 * IPs through the host (forwarding on the twin's links only), where each VM's firewall decides.
 * The twin's namespace helper (helper.py.ts) makes a VM's links: its PID 1 `eth0` as it boots,
 * `eth1` when the VM gets its public IP; `ip` makes the fabric and its bridges, once each.
 */
import { HOST_ADDRESS } from './firewall.js';
import { HelperError, type NsHelper } from './helper.js';
import type { IsolationNames } from './names.js';
import { run } from './sh.js';

/**
 * The twin's public addresses (127.1.0.0 to 127.255.255.255, vm/ips.ts), as routes more specific than
 * the VM's own 127/8 loopback route: other VMs' public IPs are reached through the host, not lo.
 */
const PUBLIC_RANGES = ['127.1.0.0/16', '127.2.0.0/15', '127.4.0.0/14', '127.8.0.0/13', '127.16.0.0/12', '127.32.0.0/11', '127.64.0.0/10', '127.128.0.0/9'];

/** An address another twin (or anything else) routes already: the caller takes the next one. */
export class AddressTaken extends Error {
  readonly code = 'EADDRINUSE';
}

/** Runs `ip -batch` lines in one process (in namespace `ns` when given). */
function ipBatch(lines: string[], ns?: string): Promise<string> {
  return run(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], `${lines.join('\n')}\n`);
}

export class Fabric {
  /** Each network's bridge, once it exists (VMs of one network boot concurrently). */
  private readonly bridges = new Map<string, Promise<string>>();
  private nextLink = 0;

  constructor(
    private readonly names: IsolationNames,
    private readonly helper: NsHelper,
  ) {}

  async create(): Promise<void> {
    await run(['ip', 'netns', 'add', this.names.fabric]);
    await ipBatch(['link set lo up'], this.names.fabric);
  }

  /** A fresh number for a VM's links (names must be unique while the twin lives). */
  linkNumber(): number {
    return this.nextLink++;
  }

  /** What the VM's PID 1 needs to put `eth0` with `privateIp` on its network's bridge (made first). */
  async privateLink(link: number, network: string, privateIp: string, prefix = 24): Promise<{ ip: string; prefix: number; veth: string; fabric: string; bridge: string }> {
    return { ip: privateIp, prefix, veth: this.names.privateLink(link), fabric: this.names.fabric, bridge: await this.bridgeFor(network) };
  }

  private bridgeFor(network: string): Promise<string> {
    let bridge = this.bridges.get(network);
    if (!bridge) {
      const name = this.names.bridge(this.bridges.size);
      bridge = ipBatch([`link add ${name} type bridge`, `link set ${name} up`], this.names.fabric).then(() => name);
      bridge.catch(() => this.bridges.delete(network));
      this.bridges.set(network, bridge);
    }
    return bridge;
  }

  /**
   * Routes `publicIp` from the host to the VM; AddressTaken when the host routes it already. The VM
   * reaches other VMs' public IPs as on a cloud: the twin's public ranges (127.1/16 and up) go out `eth1` from its
   * own public IP, and the host forwards from this link (this link only: per-link `forwarding`,
   * never the host's global switch) to other VMs' links. All in one request to the helper.
   */
  async publish(ns: string, link: number, publicIp: string): Promise<void> {
    try {
      await this.helper.publish({ ns, link: this.names.publicLink(link), ip: publicIp, host: HOST_ADDRESS, ranges: PUBLIC_RANGES });
    } catch (e) {
      // The host route is where another twin routing the address shows.
      throw e instanceof HelperError && e.taken ? new AddressTaken(`${publicIp} is routed already`) : e;
    }
  }

  /** Takes the public link away: deleting the host end deletes the VM's `eth1`, and the host route with it. */
  async unpublish(link: number): Promise<void> {
    await this.helper.unpublish(this.names.publicLink(link)).catch(() => undefined);
  }
}
