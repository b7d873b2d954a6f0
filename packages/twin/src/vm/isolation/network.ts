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

export class Fabric {
  /** Each network's bridge, once it exists (VMs of one network boot concurrently). */
  private readonly bridges = new Map<string, Promise<string>>();
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
   * The VM's namespace with loopback up and, when it has a private IP, `eth0` on its network's
   * bridge: three `ip` processes (host, fabric, VM). The VM's PID 1 turns on `route_localnet`.
   */
  async plugVm(ns: string, link: number, network: string, privateIp?: string, prefixLength = 24): Promise<void> {
    const end = this.names.privateLink(link);
    const bridge = privateIp ? this.bridgeFor(network) : undefined;
    await ipBatch([`netns add ${ns}`, ...(privateIp ? [`link add ${end} netns ${this.names.fabric} type veth peer name eth0 netns ${ns}`] : [])]);
    const inside = ['link set lo up', ...(privateIp ? [`addr add ${privateIp}/${prefixLength} dev eth0`, 'link set eth0 up'] : [])];
    if (!bridge) return void (await ipBatch(inside, ns));
    const name = await bridge;
    await Promise.all([ipBatch([`link set ${end} master ${name}`, `link set ${end} up`], this.names.fabric), ipBatch(inside, ns)]);
  }

  /**
   * Routes `publicIp` from the host to the VM; AddressTaken when the host routes it already. The VM
   * reaches other VMs' public IPs as on a cloud: the twin's public ranges (127.1/16 and up) go out `eth1` from its
   * own public IP, and the host forwards between the twin's links (per link: `forwarding` on them
   * only, never the host's global switch).
   */
  async publish(ns: string, link: number, publicIp: string): Promise<void> {
    const end = this.names.publicLink(link);
    // The link first, outside the try: a second publish racing this one fails here and must not
    // take away the link the first one made.
    await ipBatch([`link add ${end} type veth peer name eth1 netns ${ns}`, `addr add ${HOST_ADDRESS}/32 dev ${end}`, `link set ${end} up`]);
    try {
      // The twin's "internet": the host forwards from this link (this link only) to other VMs' links.
      const internet = PUBLIC_RANGES.map((r) => `route add ${r} via ${HOST_ADDRESS} dev eth1 onlink src ${publicIp} table local`);
      await Promise.all([
        writeFile(`/proc/sys/net/ipv4/conf/${end}/route_localnet`, '1'),
        writeFile(`/proc/sys/net/ipv4/conf/${end}/forwarding`, '1'),
        ipBatch([`addr add ${publicIp}/32 dev eth1`, 'link set eth1 up', `route add ${HOST_ADDRESS}/32 dev eth1`, ...internet], ns),
        // The host route is where another twin routing the address shows.
        ipBatch([`route add ${publicIp}/32 dev ${end} src ${HOST_ADDRESS} table local`]).catch((e: unknown) => {
          throw e instanceof ToolError && /File exists/.test(e.stderr) ? new AddressTaken(`${publicIp} is routed already`) : e;
        }),
      ]);
    } catch (e) {
      await this.unpublish(ns, link);
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
