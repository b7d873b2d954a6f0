/**
 * Permissions the twin denies, in each cloud's own names (`ec2:RunInstances`,
 * `compute.instances.create`, `Microsoft.Compute/virtualMachines/write`; `*` wildcards as in IAM
 * policies and ARM notActions). Every caller gets the same set: the twin has one principal per
 * cloud. What a denial looks like is each API's business: EC2 `UnauthorizedOperation` (also for
 * DryRun), GCE 403 `forbidden` "Required '…' permission", ARM 403 `AuthorizationFailed`; and the
 * permission queries (GCP `testIamPermissions`, ARM `Microsoft.Authorization/permissions`) leave
 * denied permissions out.
 */
import { randomBytes } from 'node:crypto';

/** What a deny entry may look like: one of the three clouds' permission names, maybe with `*`. */
const SHAPES = [
  /^ec2:[A-Za-z*]+$/,
  /^ecs:[A-Za-z*]+$/,
  /^compute\.[A-Za-z*]+(\.[A-Za-z*]+)*$/,
  /^[Mm]icrosoft\.[A-Za-z*]+(\/[A-Za-z*]+)+$/,
  // OpenStack policy rules: Nova's `os_compute_api:servers:create`, Neutron's and Glance's `create_floatingip`, `get_images`.
  /^os_compute_api:[a-z0-9_*-]+(:[a-z0-9_*-]+)*$/,
  /^(create|get|update|delete|add|remove)_[a-z_*]+$/,
  // Cloudit: the call names fault rules use, `cloudit:servers.create`, `cloudit:adaptiveIps.*`.
  /^cloudit:[A-Za-z*]+(\.[A-Za-z*]+)?$/,
  // A Keystone role on the project (`role:member`): tokens issued while it is denied lack it.
  /^role:[a-z_*]+$/,
];

function toRegExp(rule: string): RegExp {
  const body = rule
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  // ARM and IAM action names are case-insensitive.
  return new RegExp(`^${body}$`, 'i');
}

export class Iam {
  private rules: { text: string; re: RegExp }[] = [];

  /** Replaces the deny list; throws (the admin API answers 400) on anything not shaped like a permission. */
  set(deny: unknown): void {
    if (!Array.isArray(deny)) throw new Error('expected {"deny": ["ec2:RunInstances", "compute.instances.create", "Microsoft.Compute/virtualMachines/write", …]}');
    const rules = deny.map((d) => {
      if (typeof d !== 'string' || !SHAPES.some((s) => s.test(d))) {
        throw new Error(`deny entries must be permission names like ec2:RunInstances, ecs:RunInstances, compute.instances.create, Microsoft.Compute/virtualMachines/write, os_compute_api:servers:create, create_floatingip, cloudit:servers.create or role:member, got ${JSON.stringify(d)}`);
      }
      return { text: d, re: toRegExp(d) };
    });
    this.rules = rules;
  }

  list(): string[] {
    return this.rules.map((r) => r.text);
  }

  denied(permission: string): boolean {
    return this.rules.some((r) => r.re.test(permission));
  }

  /** The first of `permissions` that is denied, if any. */
  firstDenied(permissions: readonly string[]): string | undefined {
    return permissions.find((p) => this.denied(p));
  }
}

// ---------------------------------------------------------------- Alibaba (RAM)

/** ECS's AccessDeniedDetail for a RAM denial: which action, and that no policy allows it. */
export function ramDeniedDetail(permission: string): string {
  return JSON.stringify({ AuthAction: permission, AuthPrincipalType: 'SubUser', AuthPrincipalDisplayName: 'cloud-twin', NoPermissionType: 'ImplicitDeny', PolicyType: 'AccountLevelIdentityBasedPolicy', EncodedDiagnosticMessage: randomBytes(24).toString('base64') });
}

// ---------------------------------------------------------------- EC2

/**
 * The EC2 permissions a request needs: its action, and ec2:CreateTags when it tags what it creates
 * (AWS authorizes tag-on-create separately).
 */
export function ec2Permissions(action: string, params: URLSearchParams): string[] {
  const tagsOnCreate = action !== 'CreateTags' && [...params.keys()].some((k) => /^TagSpecification\.\d+\./.test(k));
  return [`ec2:${action}`, ...(tagsOnCreate ? ['ec2:CreateTags'] : [])];
}

/** EC2's resource ARN for the message: the first id the request names, else the type's wildcard. */
function ec2Resource(action: string, region: string, account: string, params: URLSearchParams): string {
  const id = params.get('InstanceId.1') ?? params.get('VpcId') ?? params.get('SubnetId') ?? params.get('GroupId') ?? params.get('ResourceId.1');
  if (id) {
    const type = id.startsWith('i-') ? 'instance' : id.startsWith('vpc-') ? 'vpc' : id.startsWith('subnet-') ? 'subnet' : id.startsWith('sg-') ? 'security-group' : 'resource';
    return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
  }
  const type = /Instances$/.test(action) ? 'instance' : /KeyPair/.test(action) ? 'key-pair' : /Vpc/.test(action) ? 'vpc' : /Subnet/.test(action) ? 'subnet' : /SecurityGroup/.test(action) ? 'security-group' : '*';
  return `arn:aws:ec2:${region}:${account}:${type}/*`;
}

/**
 * The message of EC2's UnauthorizedOperation: who, which action, which resource, and an encoded
 * authorization failure message (opaque to clients; `sts:DecodeAuthorizationMessage` decodes it).
 */
export function ec2DeniedMessage(permission: string, action: string, region: string, account: string, accessKeyId: string, params: URLSearchParams): string {
  const resource = ec2Resource(action, region, account, params);
  const user = `arn:aws:iam::${account}:user/${accessKeyId || 'twin'}`;
  const encoded = Buffer.concat([
    Buffer.from(JSON.stringify({ allowed: false, explicitDeny: false, matchedStatements: [], context: { principal: user, action: permission, resource } })),
    randomBytes(12),
  ]).toString('base64url');
  return (
    `You are not authorized to perform this operation. User: ${user} is not authorized to perform: ${permission} on resource: ${resource} ` +
    `because no identity-based policy allows the ${permission} action. Encoded authorization failure message: ${encoded}`
  );
}

/**
 * Parameters each EC2 action the twin answers to DryRun must carry: EC2 validates a request before
 * it answers a dry run (a dry run without an ImageId is MissingParameter, not DryRunOperation).
 */
export const EC2_REQUIRED: Readonly<Record<string, readonly (readonly string[])[]>> = {
  RunInstances: [['ImageId', 'LaunchTemplate.LaunchTemplateId', 'LaunchTemplate.LaunchTemplateName'], ['MinCount'], ['MaxCount']],
  TerminateInstances: [['InstanceId.1']],
  StopInstances: [['InstanceId.1']],
  StartInstances: [['InstanceId.1']],
  RebootInstances: [['InstanceId.1']],
  CreateVpc: [['CidrBlock', 'Ipv4IpamPoolId', 'AmazonProvidedIpv6CidrBlock']],
  DeleteVpc: [['VpcId']],
  CreateSubnet: [['VpcId']],
  DeleteSubnet: [['SubnetId']],
  CreateSecurityGroup: [['GroupName'], ['GroupDescription']],
  DeleteSecurityGroup: [['GroupId', 'GroupName']],
  AuthorizeSecurityGroupIngress: [['GroupId', 'GroupName']],
  RevokeSecurityGroupIngress: [['GroupId', 'GroupName']],
  ImportKeyPair: [['KeyName'], ['PublicKeyMaterial']],
  DeleteKeyPair: [['KeyName', 'KeyPairId']],
  CreateTags: [['ResourceId.1'], ['Tag.1.Key']],
  AttachInternetGateway: [['InternetGatewayId'], ['VpcId']],
  DetachInternetGateway: [['InternetGatewayId'], ['VpcId']],
  DeleteInternetGateway: [['InternetGatewayId']],
  CreateRouteTable: [['VpcId']],
  DeleteRouteTable: [['RouteTableId']],
  CreateRoute: [['RouteTableId']],
  AssociateRouteTable: [['RouteTableId']],
  DisassociateRouteTable: [['AssociationId']],
};

/** The first required parameter (by its first name) a request lacks, if any. */
export function missingEc2Parameter(action: string, params: URLSearchParams): string | undefined {
  for (const names of EC2_REQUIRED[action] ?? []) {
    if (!names.some((n) => (params.get(n) ?? '') !== '')) return names[0];
  }
  return undefined;
}

// ---------------------------------------------------------------- GCE

/** The IAM permissions each GCE method the twin serves checks (reads need compute.X.get/list). */
export const GCE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'instances.insert': ['compute.instances.create', 'compute.disks.create', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp', 'compute.instances.setMetadata', 'compute.instances.setLabels'],
  'instances.delete': ['compute.instances.delete'],
  'instances.stop': ['compute.instances.stop'],
  'instances.start': ['compute.instances.start'],
  'instances.reset': ['compute.instances.reset'],
  'instances.setLabels': ['compute.instances.setLabels'],
  'instances.setMetadata': ['compute.instances.setMetadata'],
  'instances.get': ['compute.instances.get'],
  'instances.list': ['compute.instances.list'],
  'instances.aggregatedList': ['compute.instances.list'],
  'networks.insert': ['compute.networks.create'],
  'networks.delete': ['compute.networks.delete'],
  'networks.get': ['compute.networks.get'],
  'networks.list': ['compute.networks.list'],
  'subnetworks.insert': ['compute.subnetworks.create', 'compute.networks.updatePolicy'],
  'subnetworks.delete': ['compute.subnetworks.delete'],
  'subnetworks.get': ['compute.subnetworks.get'],
  'subnetworks.list': ['compute.subnetworks.list'],
  'subnetworks.aggregatedList': ['compute.subnetworks.list'],
  'firewalls.insert': ['compute.firewalls.create', 'compute.networks.updatePolicy'],
  'firewalls.patch': ['compute.firewalls.update', 'compute.networks.updatePolicy'],
  'firewalls.delete': ['compute.firewalls.delete', 'compute.networks.updatePolicy'],
  'firewalls.get': ['compute.firewalls.get'],
  'firewalls.list': ['compute.firewalls.list'],
  'regions.get': ['compute.regions.get'],
  'regions.list': ['compute.regions.list'],
  'zones.get': ['compute.zones.get'],
  'zones.list': ['compute.zones.list'],
  'machineTypes.list': ['compute.machineTypes.list'],
  'machineTypes.get': ['compute.machineTypes.get'],
  'machineTypes.aggregatedList': ['compute.machineTypes.list'],
  'disks.get': ['compute.disks.get'],
  'disks.list': ['compute.disks.list'],
  'projects.get': ['compute.projects.get'],
};

/** GCE's 403 text: `Required 'compute.instances.create' permission for 'projects/p/zones/z/instances/vm'`. */
export function gceDeniedMessage(permission: string, resource: string): string {
  return `Required '${permission}' permission for '${resource}'`;
}

// ---------------------------------------------------------------- ARM

const VM = 'Microsoft.Compute/virtualMachines';
const NET = 'Microsoft.Network';

/** The ARM actions each operation the twin serves is authorized for (a VM PUT also joins its NIC). */
export const ARM_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  ResourceGroups_CreateOrUpdate: ['Microsoft.Resources/subscriptions/resourceGroups/write'],
  ResourceGroups_Delete: ['Microsoft.Resources/subscriptions/resourceGroups/delete'],
  ResourceGroups_Get: ['Microsoft.Resources/subscriptions/resourceGroups/read'],
  VirtualMachines_CreateOrUpdate: [`${VM}/write`, `${NET}/networkInterfaces/join/action`],
  VirtualMachines_Update: [`${VM}/write`],
  VirtualMachines_Delete: [`${VM}/delete`],
  VirtualMachines_Get: [`${VM}/read`],
  VirtualMachines_List: [`${VM}/read`],
  VirtualMachines_InstanceView: [`${VM}/instanceView/read`],
  VirtualMachines_Start: [`${VM}/start/action`],
  VirtualMachines_PowerOff: [`${VM}/powerOff/action`],
  VirtualMachines_Deallocate: [`${VM}/deallocate/action`],
  VirtualMachines_Restart: [`${VM}/restart/action`],
  Disks_Delete: ['Microsoft.Compute/disks/delete'],
  VirtualNetworks_CreateOrUpdate: [`${NET}/virtualNetworks/write`],
  VirtualNetworks_Delete: [`${NET}/virtualNetworks/delete`],
  Subnets_CreateOrUpdate: [`${NET}/virtualNetworks/subnets/write`],
  Subnets_Delete: [`${NET}/virtualNetworks/subnets/delete`],
  NetworkSecurityGroups_CreateOrUpdate: [`${NET}/networkSecurityGroups/write`],
  NetworkSecurityGroups_Delete: [`${NET}/networkSecurityGroups/delete`],
  SecurityRules_CreateOrUpdate: [`${NET}/networkSecurityGroups/securityRules/write`],
  SecurityRules_Delete: [`${NET}/networkSecurityGroups/securityRules/delete`],
  PublicIPAddresses_CreateOrUpdate: [`${NET}/publicIPAddresses/write`],
  PublicIPAddresses_Delete: [`${NET}/publicIPAddresses/delete`],
  NetworkInterfaces_CreateOrUpdate: [`${NET}/networkInterfaces/write`, `${NET}/virtualNetworks/subnets/join/action`],
  NetworkInterfaces_Delete: [`${NET}/networkInterfaces/delete`],
};

/** The client id behind an ARM bearer token (the `appid` of the twin's unsigned JWTs), when readable. */
export function armClientOf(authorization: string | undefined): string {
  const token = /^Bearer\s+(\S+)/i.exec(authorization ?? '')?.[1] ?? '';
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { appid?: unknown; oid?: unknown };
    if (typeof claims.appid === 'string') return claims.appid;
  } catch {
    // not a JWT: fall through
  }
  return '00000000-0000-0000-0000-000000000000';
}

/** ARM's 403 AuthorizationFailed text. */
export function armDeniedMessage(client: string, action: string, scope: string): string {
  return (
    `The client '${client}' with object id '${client}' does not have authorization to perform action '${action}' over scope '${scope}' ` +
    'or the scope is invalid. If access was recently granted, please refresh your credentials.'
  );
}
