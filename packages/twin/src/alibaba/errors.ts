/**
 * ECS error answers: the code, the HTTP status ECS sends with it and its usual message. ECS answers
 * most client errors with 400, missing resources with 404, authorization and state conflicts with
 * 403, throttling with 400 (`Throttling.User`) or 503 (`Throttling`), and its own faults with 5xx.
 */

interface Known {
  status: number;
  message: string;
}

const KNOWN: Readonly<Record<string, Known>> = {
  MissingParameter: { status: 400, message: 'The input parameter that is mandatory for processing this request is not supplied.' },
  InvalidParameter: { status: 400, message: 'The specified parameter is not valid.' },
  'InvalidAction.NotFound': { status: 404, message: 'Specified api is not found, please check your url and method.' },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation.' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to Aliyun standards.' },
  'SignatureNonceUsed': { status: 400, message: 'Specified signature nonce was used already.' },
  'InvalidTimeStamp.Expired': { status: 400, message: 'Specified time stamp or date value is expired.' },
  'Forbidden.RAM': { status: 403, message: "User not authorized to operate on the specified resource, or this API doesn't support RAM." },
  DryRunOperation: { status: 400, message: 'Request validation has been passed with DryRun flag set.' },
  Throttling: { status: 503, message: 'Request was denied due to request throttling.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },
  InternalError: { status: 500, message: 'The request processing has failed due to some unknown error, exception or failure.' },
  'OperationDenied.NoStock': { status: 403, message: 'Sales of this resource are temporarily suspended in the specified region; please try again later.' },
  'InvalidInstanceType.NotSupported': { status: 400, message: 'The specified InstanceType is not Supported.' },
  'InvalidInstanceType.ValueNotSupported': { status: 400, message: 'The specified InstanceType does not exist or beyond the permitted range.' },
  'QuotaExceed.PostPaidInstance': { status: 403, message: 'Living instances quota exceeded in this zone.' },
  IncorrectInstanceStatus: { status: 403, message: 'The current status of the resource does not support this operation.' },
  'InvalidInstanceId.NotFound': { status: 404, message: 'The specified InstanceId does not exist.' },
  'InvalidImageId.NotFound': { status: 404, message: 'The specified ImageId does not exist.' },
  'InvalidRegionId.NotFound': { status: 404, message: 'The specified RegionId does not exist.' },
  'InvalidZoneId.NotFound': { status: 404, message: 'The specified zone does not exist.' },
  'InvalidVpcId.NotFound': { status: 404, message: 'Specified VPC does not exist.' },
  'InvalidVSwitchId.NotFound': { status: 404, message: 'Specified virtual switch does not exist.' },
  'InvalidSecurityGroupId.NotFound': { status: 404, message: 'The specified SecurityGroupId does not exist.' },
  'InvalidKeyPairName.NotFound': { status: 404, message: 'The specified KeyPairName does not exist in our records.' },
  'KeyPair.AlreadyExist': { status: 400, message: 'The key pair already exist.' },
  'InvalidKeyPair.Malformed': { status: 400, message: 'The specified public key body is malformed.' },
  'DependencyViolation.VSwitch': { status: 400, message: 'Specified VPC has vSwitches which must be deleted first.' },
  'DependencyViolation.Instance': { status: 400, message: 'There are instances in the specified VSwitch.' },
  DependencyViolation: { status: 403, message: 'There is still instance(s) in the specified security group.' },
  'InvalidCidrBlock.Malformed': { status: 400, message: 'Specified CIDR block is not valid.' },
  'InvalidVSwitchCidr.Overlapped': { status: 400, message: 'Specified CIDR block overlapped with other vSwitch.' },
  IdempotentParameterMismatch: { status: 400, message: 'Request uses a client token in a previous request but is not identical to that request.' },
  'InvalidInstanceName.Malformed': { status: 400, message: 'Specified instance name is not valid.' },
};

export class EcsError extends Error {
  readonly status: number;
  /** RAM denials: which action no policy allows (ECS's AccessDeniedDetail, JSON text). */
  accessDeniedDetail?: string;
  constructor(readonly code: string, message?: string, status?: number) {
    super(message ?? KNOWN[code]?.message ?? code);
    this.name = 'EcsError';
    this.status = status ?? KNOWN[code]?.status ?? (/^Throttling|ServiceUnavailable/.test(code) ? 503 : 400);
  }
}

export function missing(name: string): EcsError {
  return new EcsError('MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
}

export function invalid(name: string, why: string): EcsError {
  return new EcsError('InvalidParameter', `The specified parameter "${name}" is not valid: ${why}`);
}
