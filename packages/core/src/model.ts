/**
 * The domain model as zod schemas (DESIGN.md §3). Types are inferred from the schemas so the
 * JSON Schema we publish for editors and the types the code uses cannot drift apart.
 */
import { z } from 'zod';
import { PROVIDERS, VM_STATUSES } from './domain.js';
import { LOGIN_USER_FORM, LOGIN_USER_MAX, LOGIN_USER_PATTERN, NAME_FORM, NAME_MAX, NAME_PATTERN } from './names.js';

export { PROVIDERS, VM_STATUSES, TAG, nowIso } from './domain.js';

export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** Lower-case DNS-label style names: safe as GCE labels, Azure names and file names alike. */
export const Name = z.string().min(1).max(NAME_MAX).regex(NAME_PATTERN, NAME_FORM);

/** An SSH login user (names.ts says why the form matters). */
export const LoginUser = z.string().max(LOGIN_USER_MAX).regex(LOGIN_USER_PATTERN, LOGIN_USER_FORM);

export const VmStatus = z.enum(VM_STATUSES);
export type VmStatus = z.infer<typeof VmStatus>;

export const Tags = z.record(z.string(), z.string());
export type Tags = z.infer<typeof Tags>;

/** A credential as stored: metadata in the state store, secrets in a 0600 file beside it. */
export const CredentialKind = z.enum([
  'aws-keys',
  'aws-profile',
  'gcp-service-account',
  'azure-client-secret',
  'alibaba-access-key',
  'openstack-password',
  'openstack-app-credential',
  'openstack-clouds-yaml',
  'cloudit-password',
  'default-chain',
]);
export const Credential = z.object({
  name: Name,
  provider: Provider,
  kind: CredentialKind,
  /** Non-secret attributes only (profile name, key id prefix); secrets live in the secret file. */
  attributes: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
});
export type Credential = z.infer<typeof Credential>;

/** Secret material handed to a driver; never printed, logged or returned in --json. */
export type CredentialMaterial =
  | { kind: 'aws-keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'aws-profile'; profile: string }
  /** A Google service-account key file, as downloaded (JSON text). */
  | { kind: 'gcp-service-account'; keyJson: string }
  /** An Azure service principal with a client secret. */
  | { kind: 'azure-client-secret'; tenantId: string; clientId: string; clientSecret: string }
  /** An Alibaba Cloud (RAM user's) AccessKey pair. */
  | { kind: 'alibaba-access-key'; accessKeyId: string; accessKeySecret: string }
  /** An OpenStack user and the project to scope to (Keystone v3 password method; domains default to `Default`). */
  | {
      kind: 'openstack-password';
      authUrl: string;
      username: string;
      password: string;
      userDomain: string;
      projectName?: string;
      projectId?: string;
      projectDomain: string;
    }
  /** An OpenStack application credential (scoped to its project already). */
  | { kind: 'openstack-app-credential'; authUrl: string; applicationCredentialId: string; applicationCredentialSecret: string }
  /** A cloud of a clouds.yaml, read when the driver loads (OS_CLIENT_CONFIG_FILE, ~/.config/openstack/, /etc/openstack/, or `file`). */
  | { kind: 'openstack-clouds-yaml'; cloud: string; file?: string }
  /** A Cloudit IAM user (id and password) and its tenant, as CB-Spider's Cloudit credential holds them. */
  | { kind: 'cloudit-password'; identityEndpoint: string; username: string; password: string; tenantId: string }
  /** The provider's standard chain: AWS env/~/.aws, Google ADC, Azure env/CLI/managed identity, Alibaba env/~/.aliyun/~/.alibabacloud, OpenStack OS_CLOUD / OS_* (openrc). */
  | { kind: 'default-chain' };

export const Connection = z.object({
  name: Name,
  provider: Provider,
  region: z.string().min(1),
  zone: z.string().min(1).optional(),
  /** Credential name; absent means the provider's standard chain (env, ~/.aws, ADC…). */
  credential: Name.optional(),
  /** Endpoint override: Cloud-Twin or a private cloud. Absent means the public cloud. */
  endpoint: z.string().url().optional(),
  /** TCP port of the VMs' SSH servers (22 on public clouds). */
  sshPort: z.number().int().min(1).max(65535).default(22),
  /** PEM file of a CA to trust for `endpoint` and `authEndpoint` (Cloud-Twin's HTTPS, a private cloud). */
  caFile: z.string().min(1).optional(),
  /** Identity endpoint override (Azure authority host / OAuth token server); absent means the public one. */
  authEndpoint: z.string().url().optional(),
  /** GCP project id (default: the service account's project). */
  project: z.string().min(1).optional(),
  /** Azure subscription id. */
  subscription: z.string().min(1).optional(),
  /** Azure resource group holding the connection's default resources (default: cb-<connection>). */
  resourceGroup: z.string().min(1).optional(),
  /** Docker context (`docker context ls`) naming the Docker endpoint, read when the driver loads. */
  context: z.string().min(1).optional(),
  /**
   * Prices the cloud does not publish (OpenStack and Cloudit have no pricing API): spec name → USD per hour, read
   * from the connection's --price-file when it was added.
   */
  prices: z.record(z.string(), z.number().nonnegative()).optional(),
  /**
   * Where the region is, for clouds whose regions have no fixed place (a private OpenStack): the
   * recommender's location and latency priorities use it when core's region table does not know it.
   */
  location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), city: z.string().optional() }).optional(),
  labels: Tags.default({}),
  createdAt: z.string(),
});
export type Connection = z.infer<typeof Connection>;

export const OnFailure = z.enum(['continue', 'rollback', 'refine']);
export type OnFailure = z.infer<typeof OnFailure>;

/**
 * What a subgroup needs when it names no connection and spec: the recommender picks the best
 * (connection, spec) from the catalog. Numbers are minimums.
 */
export const Requirements = z
  .object({
    /** At least this many vCPUs. */
    vcpu: z.number().positive().optional(),
    /** At least this much memory, GiB. */
    memory: z.number().positive().optional(),
    /** At least this many GPUs, or a GPU model ('t4', 'a100', 'a100:2..'). */
    gpu: z.union([z.number().int().min(1), z.string().min(1)]).optional(),
    /** At most this on-demand price per VM, USD per hour. */
    maxPrice: z.number().positive().optional(),
    providers: z.array(Provider).min(1).optional(),
    /** Region names; `*` matches any run of characters (`ap-*`). */
    regions: z.array(z.string().min(1)).min(1).optional(),
    arch: z.enum(['x86_64', 'arm64']).optional(),
    /** Where the users are: 'LAT,LON' or a city name; several places mean "fairest to all". */
    near: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** e.g. 'cost' or 'cost=0.6,location=0.4'; default cost, plus location when `near` is given. */
    priority: z.string().min(1).optional(),
  })
  .strict();
export type Requirements = z.infer<typeof Requirements>;

/** A manifest firewall rule; ports and sources are checked in firewall.ts (with field paths). */
export const FirewallRuleSpec = z
  .object({
    /** `80`, `80,443`, `8080-8090` or `all`. */
    ports: z.string().min(1),
    protocol: z.enum(['tcp', 'udp']).optional(),
    /** IPv4 CIDRs, `subgroup:NAME` (that subgroup's VMs' public and private IPs) or `mcis` (every VM's). */
    from: z.array(z.string().min(1)).min(1).max(100),
  })
  .strict();
export type FirewallRuleSpec = z.infer<typeof FirewallRuleSpec>;

/** One ingress allowance as a firewall object holds it: a protocol's port range from one IPv4 CIDR. */
export interface FirewallRule {
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  source: string;
}

/** `spec.network.overlay`: a WireGuard network among the MCIS's VMs (cidr and port checked in manifest.ts). */
export const OverlaySpec = z
  .object({
    /** The overlay's IPv4 network; each VM gets a stable address in it (e.g. 10.77.0.0/16). */
    cidr: z.string().min(1),
    /** The UDP port WireGuard listens on, opened to the MCIS's VMs only (default 51820). */
    port: z.number().int().min(1).max(65535).optional(),
    /**
     * `mesh` (default): every VM peers with every other. `hub`: one hub VM per connection (region);
     * spokes peer with their hub only and the hubs with each other (O(n) tunnels, for large MCISes).
     */
    topology: z.enum(['mesh', 'hub']).optional(),
  })
  .strict();
export type OverlaySpec = z.infer<typeof OverlaySpec>;

/** `spec.ssh`: who may reach port 22 (default 0.0.0.0/0). */
export const SshAccess = z.object({ from: z.array(z.string().min(1)).min(1).max(100) }).strict();
export type SshAccess = z.infer<typeof SshAccess>;

const subgroupFields = {
  name: Name,
  count: z.number().int().min(1).max(1000),
  image: z.string().min(1),
  rootDisk: z
    .object({ sizeGb: z.number().int().min(1).max(16384).optional(), type: z.string().optional() })
    .strict()
    .optional(),
  /** SSH login user; defaults to the image's usual user (ubuntu for Ubuntu, admin for Debian). */
  sshUser: LoginUser.optional(),
  /** Rules realised on this subgroup's connection, in the MCIS firewall there. */
  firewall: z.array(FirewallRuleSpec).max(100).optional(),
};

/** A subgroup as stored: always resolved to a connection and spec (and, if any, what it was resolved from). */
export const Subgroup = z.object({
  ...subgroupFields,
  connection: Name,
  spec: z.string().min(1),
  requirements: Requirements.optional(),
});
export type Subgroup = z.infer<typeof Subgroup>;

/** A subgroup as written in a manifest: `connection` + `spec`, or `requirements` (checked in manifest.ts). */
export const ManifestSubgroup = z.object({
  ...subgroupFields,
  connection: Name.optional(),
  spec: z.string().min(1).optional(),
  requirements: Requirements.optional(),
});
export type ManifestSubgroup = z.infer<typeof ManifestSubgroup>;

/**
 * `spec.loadBalancers[]`: Tumblebug's MC-SW-NLB, HAProxy on a VM of its own (the subgroup
 * `nlb-<name>`, on `connection` + `spec` or chosen by `requirements`) in front of the target
 * subgroups' VMs on every cloud. `type` leaves room for cloud-native balancers later.
 */
export const LoadBalancerSpec = z
  .object({
    name: Name,
    type: z.literal('mcsw').optional(),
    /** The listener's port, open to the world on the balancer VM. */
    port: z.number().int().min(1).max(65535),
    /** The port the targets serve on, open on them to the balancer only. */
    targetPort: z.number().int().min(1).max(65535),
    /** `subgroup:NAME` entries (Tumblebug's targetGroup.subGroupId). */
    targets: z.array(z.string().min(1)).min(1).max(100),
    /** Tumblebug's healthChecker; `path` switches from a TCP connect to `GET path` expecting 2xx/3xx. */
    healthCheck: z
      .object({
        path: z.string().regex(/^\/[^\s]*$/, 'a path such as /healthz').optional(),
        interval: z.string().regex(/^\d+(ms|s|m)$/, 'a duration such as 5s, 500ms or 1m').optional(),
        threshold: z.number().int().min(1).max(10).optional(),
        timeout: z.string().regex(/^\d+(ms|s|m)$/, 'a duration such as 2s').optional(),
      })
      .strict()
      .optional(),
    algorithm: z.enum(['roundrobin', 'leastconn', 'source']).optional(),
    connection: Name.optional(),
    spec: z.string().min(1).optional(),
    requirements: Requirements.optional(),
    /** The balancer VM's image; default the first target subgroup's. */
    image: z.string().min(1).optional(),
  })
  .strict();
export type LoadBalancerSpec = z.infer<typeof LoadBalancerSpec>;

export const Vm = z.object({
  name: z.string(),
  subgroup: z.string(),
  connection: z.string(),
  /** The cloud, or 'external' for a machine adopted with `mcis register` (no cloud API behind it). */
  provider: z.union([Provider, z.literal('external')]),
  region: z.string(),
  zone: z.string().optional(),
  spec: z.string(),
  image: z.string(),
  status: VmStatus,
  /** 'registered': an existing machine adopted over SSH; cloud lifecycle actions are refused on it. */
  origin: z.enum(['cloud', 'registered']).optional(),
  /** Private key for SSH when it is not the connection's (registered machines: a 0600 copy). */
  sshKeyPath: z.string().optional(),
  /** Idempotency token sent with the create call (EC2 ClientToken), recorded before the call. */
  clientToken: z.string(),
  providerId: z.string().optional(),
  nativeState: z.string().optional(),
  publicIp: z.string().optional(),
  privateIp: z.string().optional(),
  sshPort: z.number().int(),
  sshUser: z.string(),
  error: z.string().optional(),
  /** The VM's address on the MCIS overlay (stable while the overlay is on) and its WireGuard public key. */
  overlayIp: z.string().optional(),
  overlayKey: z.string().optional(),
  /** The VM is its connection's overlay hub (`topology: hub`); kept while it runs, so hubs move only when they must. */
  overlayHub: z.boolean().optional(),
  /**
   * A digest of the overlay setup this VM last took (its configuration and the script, never its
   * key): a retry of failed VMs leaves the others alone while theirs is unchanged.
   */
  overlayConfig: z.string().optional(),
  /** When the manifest's `files` and `run` were done on this instance (once per instance, like cloud-init). */
  provisionedAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Vm = z.infer<typeof Vm>;

export const Mcis = z.object({
  ns: Name,
  name: Name,
  labels: Tags.default({}),
  subgroups: z.array(Subgroup),
  policy: z.object({
    onFailure: OnFailure.default('continue'),
    parallelism: z.number().int().min(1).optional(),
    /** apply's rolling replacement and scale-in drain command, kept so `mcis scale` honours them. */
    maxUnavailable: z.number().int().min(1).optional(),
    drain: z.string().optional(),
  }),
  /** The manifest's `files` (src made absolute) and `run`, kept so VMs added by `mcis scale` get them too. */
  files: z.array(z.object({ src: z.string(), dest: z.string() })).optional(),
  run: z.array(z.string()).optional(),
  /** The manifest's MCIS-wide firewall rules and SSH sources (subgroup rules live on the subgroups). */
  firewall: z.array(FirewallRuleSpec).optional(),
  ssh: SshAccess.optional(),
  /** The manifest's load balancers (their `nlb-<name>` subgroups and rules are in `subgroups`). */
  loadBalancers: z.array(LoadBalancerSpec).optional(),
  /** The overlay while it is on (`spec.network.overlay` or `mcis network enable`). */
  overlay: OverlaySpec.optional(),
  /**
   * The MCIS firewall object per connection: recorded ('creating') before the cloud call, 'ready'
   * with its id after; `applied` is the rule set last synced (keys from firewall.ts ruleKey).
   */
  firewalls: z
    .record(
      z.string(),
      z.object({
        status: z.enum(['creating', 'ready']),
        id: z.string().optional(),
        name: z.string(),
        applied: z.array(z.string()).optional(),
        /** VMs launched before the object existed still need attaching (done by the next sync). */
        attachPending: z.boolean().optional(),
      }),
    )
    .optional(),
  /** The action in progress or last finished: 'create', 'suspend', …; with its target state. */
  targetAction: z.string().optional(),
  /**
   * Set while a delete is under way: the record stays (state Deleting) until every VM and default
   * resource it was the last user of is gone, so a re-run of the delete finishes the job.
   */
  deleting: z.object({ since: z.string(), connections: z.array(z.string()) }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Mcis = z.infer<typeof Mcis>;

export const ResourceKind = z.enum(['network', 'keypair']);
/** A per-connection default resource that cbadm created and must remove when no MCIS uses it. */
export const ManagedResource = z.object({
  connection: z.string(),
  kind: ResourceKind,
  /** Provider ids of what was created; e.g. for AWS network: vpcId, subnetId, igwId, … */
  refs: z.record(z.string(), z.string()),
  status: z.enum(['creating', 'ready', 'deleting']),
  createdAt: z.string(),
});
export type ManagedResource = z.infer<typeof ManagedResource>;
