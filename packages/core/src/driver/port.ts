/**
 * The driver port: what every cloud adapter implements. Split by resource (catalog, network, keys,
 * vms) so a driver's folder mirrors it. Every method that creates something is idempotent: it finds
 * what an earlier, interrupted call made (by tags or client token) instead of making it again.
 */
import type { VmAction } from '../domain.js';
import type { ExecTransport } from '../exec/transport.js';
import type { Connection, CredentialMaterial, FirewallRule, Provider, Tags, VmStatus } from '../model.js';

export type { VmAction };

export interface DriverCapabilities {
  /** Actions this cloud cannot do, with the reason shown to users. Absent means supported. */
  unsupported: Partial<Record<VmAction, string>>;
  /** How suspend is done, for `connection get` (e.g. 'StopInstances (EBS-backed)'). */
  suspendMethod: string;
  /** Whether create calls accept an idempotency token (EC2 ClientToken). */
  idempotentCreate: boolean;
}

export interface Region {
  name: string;
  zones: string[];
}

export interface Spec {
  name: string;
  vcpu: number;
  memoryGiB: number;
  arch: string;
  /** On-demand USD per hour, where the cloud reports it. */
  pricePerHour?: number;
  /** Accelerators attached to every VM of this spec. */
  gpu?: { model: string; count: number; memoryGiB?: number };
}

/** One spec's on-demand price (Linux, shared tenancy) in the connection's region. */
export interface SpecPrice {
  spec: string;
  /** USD per hour. */
  pricePerHour: number;
}

export interface DriverPrices {
  prices: SpecPrice[];
  /** Which pricing API answered and, where it says, how current it is (shown by `cbadm spec list`). */
  source: string;
}

export interface Image {
  id: string;
  name: string;
  os: string;
  arch: string;
  /** Usual SSH login user for the image (ubuntu, admin, ec2-user…). */
  sshUser: string;
  createdAt?: string;
  /** The manifest alias this image is the current one for ('ubuntu-22.04'), when listed as such. */
  alias?: string;
}

export interface CatalogApi {
  listRegions(): Promise<Region[]>;
  listSpecs(): Promise<Spec[]>;
  listImages(): Promise<Image[]>;
  /**
   * Resolves a manifest image ('ubuntu-22.04', 'debian-12', or a native id such as 'ami-…') to the
   * newest matching native image. Throws UsageError naming the image when nothing matches.
   */
  resolveImage(image: string): Promise<Image>;
  /**
   * On-demand prices for this region from the cloud's own pricing API (AWS Price List, Azure
   * Retail Prices, GCP Cloud Billing Catalog). Optional: a driver without it leaves specs unpriced.
   */
  listPrices?(): Promise<DriverPrices>;
}

/** The per-connection default network: ids of what the driver created (or adopted). */
export interface DefaultNetwork {
  networkId: string;
  subnetId: string;
  securityGroupId: string;
  zone?: string;
  /** Cloud-specific extras the driver needs to delete it again (igwId, routeTableId…). */
  extra: Record<string, string>;
}

/** A port range to open between given sources (cluster nodes) on a default security group. */
export interface IngressRule {
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  description: string;
}

export interface NetworkApi {
  /**
   * Finds by tags, or creates, the connection's default network: VPC, subnet, internet gateway and
   * route, security group allowing SSH from anywhere. Idempotent; tags every resource with `tags`.
   * If this throws, part of it may exist: the tags let the next call adopt it.
   */
  ensureDefault(req: { name: string; tags: Tags }): Promise<DefaultNetwork>;
  /**
   * Finds, without creating anything, what ensureDefault would adopt under that name and tags:
   * undefined when no piece of it exists. For `connection cleanup` and for deleting a network whose
   * ids were never recorded.
   */
  findDefault(req: { name: string; tags: Tags }): Promise<DefaultNetwork | undefined>;
  /** Deletes what ensureDefault made. Already-gone parts are fine. */
  deleteDefault(net: DefaultNetwork): Promise<void>;
  /**
   * Optional: opens `rules` on the default network's firewall to `sources` (CIDRs) only. Idempotent:
   * rules already there are fine. Drivers without it leave the opening to the user (a warning says so).
   */
  allowIngress?(net: DefaultNetwork, req: { rules: IngressRule[]; sources: string[] }): Promise<void>;
  /** Optional: removes what allowIngress opened. Rules already gone are fine. */
  revokeIngress?(net: DefaultNetwork, req: { rules: IngressRule[]; sources: string[] }): Promise<void>;
}

export type { FirewallRule };

/** An MCIS firewall object as the driver names it (SG id, GCE network tag, Azure rule prefix). */
export interface FirewallRef {
  id: string;
  name: string;
}

/**
 * Optional: a firewall object per MCIS and connection, attached to the MCIS's VMs at launch
 * (CreateVmRequest.firewall) and holding exactly the rules it is given. Without it, create and
 * apply warn that the manifest's rules are not realised on that connection.
 */
export interface FirewallApi {
  /** Finds by name (and tags), or creates, the object in the default network. Idempotent. */
  ensure(req: { name: string; network: DefaultNetwork; tags: Tags }): Promise<FirewallRef>;
  /**
   * Makes the object admit exactly `rules` to the attached VMs: adds what is missing, removes what
   * is extra (SSH included: a cloud whose default network opens SSH to all closes it for these VMs
   * when `rules` do not). `targets`: the private IPs of the MCIS's VMs on this connection, for
   * clouds whose rules name destinations. Idempotent.
   */
  setRules(fw: FirewallRef, req: { network: DefaultNetwork; rules: FirewallRule[]; targets: string[] }): Promise<void>;
  /**
   * Attaches VMs launched before the object existed (an MCIS that gets its first rules by apply).
   * Idempotent: VMs attached already are left alone; ids the cloud no longer knows are skipped.
   */
  attach(fw: FirewallRef, req: { network: DefaultNetwork; providerIds: string[] }): Promise<void>;
  /**
   * The allowances the cloud holds for the object, as setRules takes them (a deny a driver adds to
   * narrow SSH is not listed), and the destinations where its rules name them. For plan and audits.
   */
  read(fw: FirewallRef, network: DefaultNetwork): Promise<{ rules: FirewallRule[]; targets?: string[] }>;
  /** Every MCIS firewall object this driver made in the default network (any MCIS), for `connection cleanup`. */
  list(network: DefaultNetwork): Promise<FirewallRef[]>;
  /** Removes the object and its rules (found by name when `id` is unknown). Already gone is fine. */
  delete(req: { name: string; network: DefaultNetwork; id?: string }): Promise<void>;
}

export interface KeyPairApi {
  /** Imports the public half of a locally generated key, or adopts an existing one of that name. */
  ensureKeyPair(req: { name: string; publicKey: string; tags: Tags }): Promise<{ keyName: string }>;
  deleteKeyPair(name: string): Promise<void>;
  /** Whether the cloud holds a key pair of that name (false where keys travel with each VM). */
  hasKeyPair(name: string): Promise<boolean>;
}

export interface VmInfo {
  providerId: string;
  status: VmStatus;
  nativeState: string;
  publicIp?: string;
  privateIp?: string;
  spec?: string;
  image?: string;
  zone?: string;
  tags: Tags;
  launchedAt?: string;
}

export interface CreateVmRequest {
  name: string;
  spec: string;
  /** Native image id, as returned by catalog.resolveImage. */
  imageId: string;
  rootDiskGb?: number;
  network: DefaultNetwork;
  keyName: string;
  publicKey: string;
  sshUser: string;
  /** Idempotency token, recorded before the call: a repeat with the same token returns the same VM. */
  clientToken: string;
  tags: Tags;
  /** The MCIS firewall to attach the VM to, when the MCIS has one. */
  firewall?: FirewallRef;
  /** Optional: told what a long step of the launch is doing (a Docker image pull), for the user. */
  progress?: (message: string) => void;
}

export interface VmApi {
  /** Launches one VM. Idempotent by clientToken. If this throws, the VM may exist: find it by tags. */
  create(req: CreateVmRequest): Promise<VmInfo>;
  /** Current state of the given VMs; ids the cloud no longer knows are left out. */
  describe(providerIds: string[]): Promise<VmInfo[]>;
  /** VMs carrying all of the given tags (terminated ones included while the cloud still lists them). */
  findByTags(tags: Tags): Promise<VmInfo[]>;
  suspend(providerIds: string[]): Promise<void>;
  resume(providerIds: string[]): Promise<void>;
  reboot(providerIds: string[]): Promise<void>;
  terminate(providerIds: string[]): Promise<void>;
}

/** allowed: the cloud said yes; denied: it said no; unknown: it could not tell (see `why`). */
export type PermissionStatus = 'allowed' | 'denied' | 'unknown';

export interface PermissionCheck {
  /** The cloud's own name: `ec2:RunInstances`, `compute.instances.create`, `Microsoft.Compute/virtualMachines/write`. */
  permission: string;
  /** What the product needs it for, e.g. `create VMs`. */
  neededFor: string;
  status: PermissionStatus;
  /** The cloud's answer (a code) or why it could not be asked. */
  why?: string;
}

export interface CloudDriver {
  readonly provider: Provider;
  readonly capabilities: DriverCapabilities;
  readonly catalog: CatalogApi;
  readonly network: NetworkApi;
  readonly keys: KeyPairApi;
  readonly vms: VmApi;
  readonly firewall?: FirewallApi;
  /**
   * Optional: how commands reach this connection's VMs when SSH is not the way in (Docker: the
   * containers are entered through the Engine API's exec). The core then runs exec, readiness,
   * provisioning, benchmark, agent install and k8s bootstrap on them through it; without it, SSH.
   * The registry must say so too (DriverRegistry.ownsExecTransport). It ends with close().
   */
  readonly exec?: ExecTransport;
  /** A cheap authenticated call proving endpoint, region and credentials work. */
  ping(): Promise<{ account?: string; region: string; latencyMs: number }>;
  /**
   * Whether the credential may do what the driver does (create, suspend, terminate, networks…),
   * asked the way the cloud offers it without side effects (EC2 DryRun, GCP testIamPermissions,
   * ARM Microsoft.Authorization/permissions). Optional: a driver that cannot ask leaves it out.
   */
  checkPermissions?(): Promise<PermissionCheck[]>;
  close(): void;
}

export interface DriverOptions {
  connection: Connection;
  credentials: CredentialMaterial;
  /** Max attempts for a transient failure (5xx, socket) of one call (with jittered backoff). */
  maxAttempts?: number;
  /**
   * How long one call keeps retrying while the cloud answers "throttled" (CB_TIMEOUT_MS caps it);
   * after that the call fails with a retryable throttled ProviderError.
   */
  throttleWaitMs?: number;
}

export type DriverFactory = (opts: DriverOptions) => CloudDriver;

/** Resolves a provider name to its driver factory, loading the SDK only when asked. */
export interface DriverRegistry {
  load(provider: Provider): Promise<DriverFactory>;
  providers(): Provider[];
  /**
   * Whether the provider's driver brings its own exec transport (CloudDriver.exec). Asked before
   * any driver is loaded, so a command on a VM reached over SSH never loads its cloud's SDK or
   * credentials. Absent: no driver does.
   */
  ownsExecTransport?(provider: string): boolean;
}
