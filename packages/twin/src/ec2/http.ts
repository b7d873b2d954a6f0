/**
 * The EC2 Query API over HTTP: SigV4-signed `Action=…` requests (query string or form body) for a
 * region the twin knows, answered with EC2's XML; errors are EC2's error document.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type SigV4Failure, verifySigV4 } from '../auth/sigv4.js';
import { findRegion } from '../data/aws.js';
import type { Faults } from '../faults.js';
import { readBody } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { ec2DeniedMessage, ec2Permissions, missingEc2Parameter } from '../iam.js';
import { sleep } from '../sleep.js';
import type { Ec2Engine } from './engine.js';
import { defaultMessage, Ec2Error } from './errors.js';
import { ACCOUNT_ID } from './model.js';
import { errorDoc } from './xml.js';

export interface Ec2HttpDeps {
  ec2: Ec2Engine;
  /** The secret access key of an AWS access key id the twin knows, else undefined. */
  awsSecretOf: (accessKeyId: string) => string | undefined;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

function sendXml(res: ServerResponse, status: number, body: string, requestId: string): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', server: 'AmazonEC2', 'x-amzn-requestid': requestId });
  res.end(body);
}

/** EC2's answer to a request whose signature did not verify. */
function ec2AuthError(failure: SigV4Failure, message: string): Ec2Error {
  switch (failure) {
    case 'signature':
      return new Ec2Error('SignatureDoesNotMatch', message);
    case 'expired':
      return new Ec2Error('RequestExpired', `Request has expired. ${message}`);
    case 'malformed':
      return new Ec2Error('IncompleteSignature', message);
    default:
      return new Ec2Error('AuthFailure', defaultMessage('AuthFailure'));
  }
}

/** Serves one EC2 request; only a body over the size limit rejects (before anything is answered). */
export async function handleEc2(deps: Ec2HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://twin');
  const params = new URLSearchParams(url.search);
  const body = await readBody(req);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  const action = params.get('Action') ?? undefined;
  let region: string | undefined;
  let status = 200;
  let code: string | undefined;
  let accessKeyId = '';
  try {
    const auth = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, deps.awsSecretOf);
    region = auth.scope?.region;
    if (!auth.ok) throw ec2AuthError(auth.failure, auth.message);
    accessKeyId = auth.scope.accessKeyId;
    if (region === undefined || !findRegion(region)) {
      throw new Ec2Error('AuthFailure', `Credential should be scoped to a valid region, not '${region}'. `);
    }
    if (!action) throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
    if (!deps.ec2.hasAction(action)) {
      throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    if (deps.faults.isDown(region)) throw new Ec2Error('Unavailable', defaultMessage('Unavailable'));
    const fault = deps.faults.decide(action, region);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.code) throw new Ec2Error(fault.code, defaultMessage(fault.code));
    const dryRun = params.get('DryRun') === 'true';
    // EC2 validates the request, then authorizes it, then (for a dry run) answers without acting.
    if (dryRun) {
      const missing = missingEc2Parameter(action, params);
      if (missing) throw new Ec2Error('MissingParameter', `The request must contain the parameter ${missing}`);
    }
    const denied = deps.faults.iam.firstDenied(ec2Permissions(action, params));
    if (denied) throw new Ec2Error('UnauthorizedOperation', ec2DeniedMessage(denied, action, region, ACCOUNT_ID, accessKeyId, params));
    if (dryRun) {
      throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    }
    sendXml(res, 200, deps.ec2.handle(action, region, params, requestId), requestId);
  } catch (e) {
    const error = e instanceof Ec2Error ? e : new Ec2Error('InternalError', defaultMessage('InternalError'));
    if (!(e instanceof Ec2Error)) console.error('cloud-twin: internal error', e);
    status = error.status;
    code = error.code;
    sendXml(res, status, errorDoc(error.code, error.message, requestId), requestId);
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, region, action, status, code, ms: Date.now() - started });
}
