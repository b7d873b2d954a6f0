/**
 * What an operator would have set up in the twin's OpenStack: two regions (DevStack's RegionOne
 * and a second one), the flavors DevStack creates, and the cloud images operators upload with
 * the `os_distro`/`os_version` properties (the OpenStack image metadata convention). There is no
 * pricing API in OpenStack, so nothing here has a price.
 */
import { createHash } from 'node:crypto';

export const OPENSTACK_REGIONS = [
  { name: 'RegionOne', zones: ['nova'] },
  { name: 'RegionTwo', zones: ['nova', 'az2'] },
] as const;

export function findOpenStackRegion(name: string): (typeof OPENSTACK_REGIONS)[number] | undefined {
  return OPENSTACK_REGIONS.find((r) => r.name === name);
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  /** MiB. */
  ram: number;
  /** GiB. */
  disk: number;
  extra_specs: Record<string, string>;
}

/** DevStack's default flavors (ids 1–5, c1/d1 left out) plus a GPU flavor with a PCI alias. */
export const FLAVORS: readonly Flavor[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1, extra_specs: {} },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20, extra_specs: {} },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40, extra_specs: {} },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80, extra_specs: {} },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160, extra_specs: {} },
  { id: '42', name: 'g1.large.t4', vcpus: 8, ram: 32768, disk: 100, extra_specs: { 'pci_passthrough:alias': 't4:1' } },
];

export function findFlavor(ref: string): Flavor | undefined {
  // A flavorRef is an id or a link ending in one.
  const id = ref.replace(/^.*\//, '');
  return FLAVORS.find((f) => f.id === id);
}

export interface GlanceImage {
  id: string;
  name: string;
  os_distro: string;
  os_version: string;
  architecture: string;
  size: number;
  min_disk: number;
  created_at: string;
  /** Set for images the twin's Kubernetes node runtime backs (as on the other clouds). */
  node_runtime?: 'kubernetes';
}

/** A stable UUID per (region, image name): images have region-local ids, as in real deployments. */
function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const IMAGES = [
  { name: 'ubuntu-22.04-server-cloudimg-amd64', os_distro: 'ubuntu', os_version: '22.04', size: 652_935_168, created_at: '2025-11-04T09:12:41Z' },
  { name: 'ubuntu-24.04-server-cloudimg-amd64', os_distro: 'ubuntu', os_version: '24.04', size: 597_229_568, created_at: '2025-11-04T09:14:02Z' },
  { name: 'debian-12-genericcloud-amd64', os_distro: 'debian', os_version: '12', size: 347_602_944, created_at: '2025-10-21T16:40:19Z' },
  { name: 'cirros-0.6.2-x86_64-disk', os_distro: 'cirros', os_version: '0.6.2', size: 21_430_272, created_at: '2025-06-02T11:03:55Z' },
];

export function imagesOf(region: string): GlanceImage[] {
  // Ubuntu 22.04 servers get the twin's Kubernetes node runtime, as on the other clouds.
  return IMAGES.map((i) => ({ ...i, id: uuidOf(`${region}/${i.name}`), architecture: 'x86_64', min_disk: i.os_distro === 'cirros' ? 1 : 3, ...(i.os_version === '22.04' ? { node_runtime: 'kubernetes' as const } : {}) }));
}

export function findImage(region: string, ref: string): GlanceImage | undefined {
  const id = ref.replace(/^.*\//, '');
  return imagesOf(region).find((i) => i.id === id);
}

/** The login user an image's cloud-init configures (cirros has its own). */
export function loginUserOf(image: GlanceImage): string {
  return image.os_distro === 'debian' ? 'debian' : image.os_distro === 'cirros' ? 'cirros' : 'ubuntu';
}
