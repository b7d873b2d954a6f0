/**
 * The wires of isolated VMs. Every VPC/network is a bridge in the twin's fabric namespace; a running
 * VM is a network namespace whose `eth0` is on its network's bridge with its private IP, and whose
 * `eth1` is a point-to-point link to the host carrying its public IP: the host routes that one
 * 127.x.y.z address (a /32 in the host's `local` table, which outranks the 127/8 loopback route)
 * to the link, with `route_localnet` on the twin's own links only. Bridges of different networks
 * are not connected, so VPCs do not reach each other on private IPs; VMs reach each other's public
 * IPs through the host (forwarding on the twin's links only), where each VM's firewall decides.
 */
import { writeFile } from 'node:fs/promises';
import { HOST_ADDRESS } from './firewall.js';
import type { IsolationNames } from './names.js';
import { run, ToolError } from './sh.js';

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

/** Sets a sysctl of one namespace without a shell: the write happens in a process inside it. */
function nsSysctl(ns: string, key: string, value: string): Promise<string> {
  return run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
}

export class Fabric {
  private readonly bridges = new Map<string, string>();
  private nextLink = 0;

  constructor(private readonly names: IsolationNames) {}

  async create(): Promise<void> {
    await run(['ip', 'netns', 'add', this.names.fabric]);
    await ipBatch(['link set lo up'], this.names.fabric);
  }

  /** A fresh number for a VM's links (names must be unique while the twin lives). */
  linkNumber(): number {
    return this.nextLink++;
  }

  private async bridgeFor(network: string): Promise<string> {
    let bridge = this.bridges.get(network);
    if (bridge) return bridge;
    bridge = this.names.bridge(this.bridges.size);
    this.bridges.set(network, bridge);
    await ipBatch([`link add ${bridge} type bridge`, `link set ${bridge} up`], this.names.fabric);
    return bridge;
  }

  /** The VM's namespace with loopback up and, when it has a private IP, `eth0` on its network's bridge. */
  async plugVm(ns: string, link: number, network: string, privateIp?: string, prefixLength = 24): Promise<void> {
    await run(['ip', 'netns', 'add', ns]);
    await ipBatch(['link set lo up'], ns);
    // Host traffic arrives from HOST_ADDRESS to a 127.x.y.z: loopback-range routing on the VM's links.
    await nsSysctl(ns, 'net.ipv4.conf.all.route_localnet', '1');
    if (!privateIp) return;
    const bridge = await this.bridgeFor(network);
    const end = this.names.privateLink(link);
    await ipBatch([`link add ${end} netns ${this.names.fabric} type veth peer name eth0 netns ${ns}`]);
    await ipBatch([`link set ${end} master ${bridge}`, `link set ${end} up`], this.names.fabric);
    await ipBatch([`addr add ${privateIp}/${prefixLength} dev eth0`, 'link set eth0 up'], ns);
  }

  /**
   * Routes `publicIp` from the host to the VM; AddressTaken when the host routes it already. The VM
   * reaches other VMs' public IPs as on a cloud: the twin's public ranges (127.1/16 and up) go out `eth1` from its
   * own public IP, and the host forwards between the twin's links (per link: `forwarding` on them
   * only, never the host's global switch).
   */
  async publish(ns: string, link: number, publicIp: string): Promise<void> {
    const end = this.names.publicLink(link);
    await ipBatch([`link add ${end} type veth peer name eth1 netns ${ns}`, `addr add ${HOST_ADDRESS}/32 dev ${end}`, `link set ${end} up`]);
    await writeFile(`/proc/sys/net/ipv4/conf/${end}/route_localnet`, '1');
    // The twin's "internet": the host forwards from this link (this link only) to other VMs' links.
    await writeFile(`/proc/sys/net/ipv4/conf/${end}/forwarding`, '1');
    const internet = PUBLIC_RANGES.map((r) => `route add ${r} via ${HOST_ADDRESS} dev eth1 onlink src ${publicIp} table local`);
    await ipBatch([`addr add ${publicIp}/32 dev eth1`, 'link set eth1 up', `route add ${HOST_ADDRESS}/32 dev eth1`, ...internet], ns);
    try {
      await ipBatch([`route add ${publicIp}/32 dev ${end} src ${HOST_ADDRESS} table local`]);
    } catch (e) {
      await this.unpublish(ns, link);
      if (e instanceof ToolError && /File exists/.test(e.stderr)) throw new AddressTaken(`${publicIp} is routed already`);
      throw e;
    }
  }

  /** Takes the public link away (its host route goes with it). */
  async unpublish(ns: string, link: number): Promise<void> {
    await ipBatch(['link del eth1'], ns).catch(() => undefined);
    await ipBatch([`link del ${this.names.publicLink(link)}`]).catch(() => undefined);
  }

  /** Removes the VM's namespace: its links (and their other ends and routes) go with it. */
  async unplugVm(ns: string): Promise<void> {
    await run(['ip', 'netns', 'del', ns]).catch(() => undefined);
  }
}
