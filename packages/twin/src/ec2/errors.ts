/** An EC2 API error: the code and HTTP status EC2 answers with. */
export class Ec2Error extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.name = 'Ec2Error';
    this.code = code;
    this.status = status ?? statusForCode(code);
  }
}

/**
 * HTTP status for an EC2 error code. Client errors are 400 except the auth ones; server errors
 * (capacity, internal, throttling, unavailable) are 5xx, as in the EC2 API error reference.
 */
export function statusForCode(code: string): number {
  switch (code) {
    case 'AuthFailure':
      return 401;
    case 'UnauthorizedOperation':
    case 'SignatureDoesNotMatch':
    case 'OptInRequired':
    case 'Blocked':
    case 'PendingVerification':
      return 403;
    case 'DryRunOperation':
      return 412;
    case 'RequestLimitExceeded':
    case 'Unavailable':
    case 'ServiceUnavailable':
      return 503;
    case 'InternalError':
    case 'InsufficientInstanceCapacity':
    case 'InsufficientCapacity':
    case 'InsufficientAddressCapacity':
    case 'InsufficientHostCapacity':
    case 'InsufficientReservedInstanceCapacity':
    case 'InsufficientVolumeCapacity':
      return 500;
    default:
      return 400;
  }
}

/** The default message EC2 gives for codes a fault rule may inject. */
export function defaultMessage(code: string): string {
  switch (code) {
    case 'RequestLimitExceeded':
      return 'Request limit exceeded.';
    case 'InsufficientInstanceCapacity':
      return (
        'We currently do not have sufficient capacity in the Availability Zone you requested. ' +
        'Our system will be working on provisioning additional capacity. You can currently get ' +
        'capacity by not specifying an Availability Zone in your request or choosing a different one.'
      );
    case 'Unavailable':
    case 'ServiceUnavailable':
      return 'The service is unavailable. Please try again shortly.';
    case 'InternalError':
      return 'An internal error has occurred';
    case 'UnauthorizedOperation':
      return 'You are not authorized to perform this operation.';
    case 'AuthFailure':
      return 'AWS was not able to validate the provided access credentials';
    default:
      return `${code} (injected by Cloud-Twin)`;
  }
}

export const err = {
  missing: (name: string) => new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`),
  invalidValue: (name: string, value: string, why?: string) =>
    new Ec2Error('InvalidParameterValue', `Invalid value '${value}' for ${name}.${why ? ` ${why}` : ''}`),
  combination: (message: string) => new Ec2Error('InvalidParameterCombination', message),
  malformed: (code: string, id: string) => new Ec2Error(code, `Invalid id: "${id}"`),
  notFound: (code: string, noun: string, ids: readonly string[]) =>
    new Ec2Error(
      code,
      ids.length === 1
        ? `The ${noun} ID '${ids[0]}' does not exist`
        : `The ${noun} IDs '${ids.join(', ')}' do not exist`,
    ),
  dependency: (kind: string, id: string) =>
    new Ec2Error('DependencyViolation', `The ${kind} '${id}' has dependencies and cannot be deleted.`),
};
