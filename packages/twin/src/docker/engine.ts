/**
 * The twin's Docker daemon: images, containers, networks and exec instances, looked up the way
 * the Engine does (full id, name, unique id prefix). Container operations are in containers.ts.
 */
import { randomBytes } from 'node:crypto';
import { cpus, hostname, totalmem } from 'node:os';
import { DockerError, noSuchContainer, noSuchImage, noSuchNetwork } from './errors.js';
import { familiarReference, registryImage } from './images.js';
import type { DockerContainer, DockerImage, DockerNetwork, DockerSnapshot } from './model.js';

export interface DockerHostInfo {
  /** The daemon's host name: a Docker connection's region. */
  name: string;
  ncpu: number;
  memTotal: number;
}

export function hostInfo(): DockerHostInfo {
  return { name: hostname(), ncpu: cpus().length || 1, memTotal: totalmem() };
}

export const newId = () => randomBytes(32).toString('hex');

/** The networks every daemon has; `bridge` is the default one containers join. */
const PREDEFINED: Array<[string, string, number]> = [
  ['bridge', 'bridge', 17],
  ['host', 'host', 0],
  ['none', 'null', 0],
];

export class DockerState {
  readonly images = new Map<string, DockerImage>();
  readonly containers = new Map<string, DockerContainer>();
  readonly networks = new Map<string, DockerNetwork>();

  constructor(
    readonly host: DockerHostInfo,
    private readonly changed: () => void,
  ) {
    for (const [name, driver, subnet] of PREDEFINED) this.addNetwork(name, driver, {}, subnet);
  }

  touch(): void {
    this.changed();
  }

  // --- lookups, as the daemon resolves references ---------------------------------------------

  container(ref: string): DockerContainer {
    const c = this.findContainer(ref);
    if (!c) throw noSuchContainer(ref);
    return c;
  }

  findContainer(ref: string): DockerContainer | undefined {
    const name = ref.replace(/^\//, '');
    const all = [...this.containers.values()];
    const exact = this.containers.get(ref) ?? all.find((c) => c.name === name);
    if (exact) return exact;
    const byPrefix = /^[0-9a-f]+$/.test(ref) ? all.filter((c) => c.id.startsWith(ref)) : [];
    if (byPrefix.length > 1) throw new DockerError(400, `multiple IDs found with provided prefix: ${ref}`);
    return byPrefix[0];
  }

  image(ref: string): DockerImage {
    const i = this.findImage(ref);
    if (!i) throw noSuchImage(ref);
    return i;
  }

  findImage(ref: string): DockerImage | undefined {
    const id = ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
    const byId = [...this.images.values()].filter((i) => /^[0-9a-f]{1,64}$/.test(id.slice(7)) && i.id.startsWith(id));
    if (byId.length === 1) return byId[0];
    let familiar: string;
    try {
      familiar = familiarReference(ref);
    } catch {
      return undefined;
    }
    return [...this.images.values()].find((i) => i.repoTags.includes(familiar));
  }

  network(ref: string): DockerNetwork {
    const all = [...this.networks.values()];
    const n = this.networks.get(ref) ?? all.find((x) => x.Name === ref) ?? all.filter((x) => x.Id.startsWith(ref))[0];
    if (!n) throw noSuchNetwork(ref);
    return n;
  }

  // --- images -----------------------------------------------------------------------------------

  /** Pulls `reference` (familiar form) into the store; returns it and whether it was there already. */
  pull(reference: string): { image: DockerImage; alreadyHere: boolean } {
    const existing = this.findImage(reference);
    if (existing) return { image: existing, alreadyHere: true };
    const image = registryImage(reference, new Date().toISOString());
    const sameId = this.images.get(image.id);
    if (sameId) sameId.repoTags.push(reference);
    else this.images.set(image.id, image);
    this.changed();
    return { image: sameId ?? image, alreadyHere: false };
  }

  removeImage(ref: string, force: boolean): Array<Record<string, string>> {
    const image = this.image(ref);
    const user = [...this.containers.values()].find((c) => c.imageId === image.id);
    if (user && !force) {
      throw new DockerError(409, `conflict: unable to delete ${image.id.slice(7, 19)} (must be forced) - image is being used by stopped container ${user.id.slice(0, 12)}`);
    }
    this.images.delete(image.id);
    this.changed();
    return [...image.repoTags.map((t) => ({ Untagged: t })), { Deleted: image.id }];
  }

  // --- networks ---------------------------------------------------------------------------------

  addNetwork(name: string, driver: string, labels: Record<string, string>, subnetIndex?: number): DockerNetwork {
    if ([...this.networks.values()].some((n) => n.Name === name)) throw new DockerError(409, `network with name ${name} already exists`);
    const used = new Set([...this.networks.values()].map((n) => n.subnetIndex));
    let index = subnetIndex ?? 18;
    while (subnetIndex === undefined && used.has(index)) index++;
    if (index > 31) throw new DockerError(403, 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    const net: DockerNetwork = {
      Id: newId(),
      Name: name,
      Created: new Date().toISOString(),
      Driver: driver,
      Scope: 'local',
      Internal: false,
      Attachable: false,
      Labels: labels,
      Options: {},
      subnetIndex: index,
      nextHost: 2,
    };
    this.networks.set(net.Id, net);
    this.changed();
    return net;
  }

  removeNetwork(ref: string): void {
    const net = this.network(ref);
    if (PREDEFINED.some(([name]) => name === net.Name)) throw new DockerError(403, `${net.Name} is a pre-defined network and cannot be removed`);
    if (this.attached(net).length) throw new DockerError(403, `error while removing network: network ${net.Name} id ${net.Id} has active endpoints`);
    this.networks.delete(net.Id);
    this.changed();
  }

  /** Containers with an endpoint on `net` (stopped ones keep theirs, as in Docker). */
  attached(net: DockerNetwork): DockerContainer[] {
    return [...this.containers.values()].filter((c) => c.networks[net.Name]);
  }

  /** The next free address on `net`. */
  allocateIp(net: DockerNetwork): { ip: string; gateway: string } {
    const n = net.nextHost++;
    return { ip: `172.${net.subnetIndex}.${Math.floor(n / 256)}.${n % 256}`, gateway: `172.${net.subnetIndex}.0.1` };
  }

  // --- snapshot ---------------------------------------------------------------------------------

  snapshot(): DockerSnapshot {
    return { images: [...this.images.values()], containers: [...this.containers.values()], networks: [...this.networks.values()] };
  }

  restore(s: DockerSnapshot): void {
    this.images.clear();
    this.networks.clear();
    this.containers.clear();
    for (const i of s.images) this.images.set(i.id, i);
    for (const n of s.networks) this.networks.set(n.Id, n);
    for (const c of s.containers) this.containers.set(c.id, c);
  }
}
