/**
 * The ECS RPC API over HTTP on its own listener: `Action=…&Version=2014-05-26` in the query or a
 * form body, signed (ACS3-HMAC-SHA256 or signature v1) with the twin's AccessKey; answers in JSON
 * (or XML for `Format=XML`) with a RequestId; errors carry Code, Message and Recommend.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findAlibabaRegion } from '../data/alibaba.js';
import type { Faults } from '../faults.js';
import { readBody } from '../http/io.js';
import { listenPreferring } from '../http/listen.js';
import type { OnRequest } from '../http/types.js';
import { ramDeniedDetail } from '../iam.js';
import { sleep } from '../sleep.js';
import type { EcsEngine } from './engine.js';
import { EcsError } from './errors.js';
import { validateRun } from './instances.js';
import { SignatureChecker } from './signature.js';
import { Params, render, type WireObject } from './wire.js';

export const ECS_VERSION = '2014-05-26';
const HOST_ID = 'ecs.aliyuncs.com';

export interface EcsHttpDeps {
  engine: EcsEngine;
  faults: Faults;
  /** The AccessKey secret of an AccessKey id the twin issued, else undefined. */
  secretOf: (accessKeyId: string) => string | undefined;
  onRequest?: OnRequest | undefined;
}

/** Actions that need no RegionId. */
const GLOBAL_ACTIONS = new Set(['DescribeRegions', 'DescribeInstanceTypes']);
/** Actions on one instance whose RegionId is optional (ModifyInstanceAttribute has none): the instance's region. */
const INSTANCE_ACTIONS = new Set(['ModifyInstanceAttribute', 'JoinSecurityGroup', 'LeaveSecurityGroup']);

function send(res: ServerResponse, status: number, format: 'JSON' | 'XML', root: string, body: WireObject, requestId: string): void {
  const { contentType, text } = render(format, root, body);
  res.writeHead(status, { 'content-type': contentType, 'x-acs-request-id': requestId, server: 'Tengine' });
  res.end(text);
}

/** What a dry run checks before it answers DryRunOperation: the request would be accepted. */
function dryRunCheck(engine: EcsEngine, action: string, regionId: string, params: Params, requestId: string): void {
  if (action === 'RunInstances') {
    validateRun({ env: engine, region: engine.region(regionId), params, requestId });
    return;
  }
  if (/Instances?$/.test(action) && action !== 'DescribeInstances' && params.get('InstanceId') === undefined && params.get('InstanceId.1') === undefined) {
    throw new EcsError('MissingParameter', 'The input parameter "InstanceId" that is mandatory for processing this request is not supplied.');
  }
}

export async function handleEcs(deps: EcsHttpDeps, checker: SignatureChecker, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID().toUpperCase();
  const url = new URL(req.url ?? '/', 'http://twin');
  const all = new URLSearchParams(url.search);
  const body = await readBody(req);
  if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) all.append(k, v);
  }
  const params = new Params(all);
  const format = params.get('Format')?.toUpperCase() === 'XML' ? 'XML' : 'JSON';
  const action = params.get('Action') ?? (typeof req.headers['x-acs-action'] === 'string' ? req.headers['x-acs-action'] : undefined);
  let region: string | undefined;
  let status = 200;
  let code: string | undefined;
  try {
    const version = params.get('Version') ?? req.headers['x-acs-version'];
    if (!action) throw new EcsError('MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.');
    if (version !== ECS_VERSION) throw new EcsError('InvalidVersion', `Specified parameter Version '${String(version)}' is not valid; ECS is ${ECS_VERSION}.`, 400);
    checker.verify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, params: all });
    if (!deps.engine.hasAction(action)) throw new EcsError('InvalidAction.NotFound', `Specified api '${action}' is not found, please check your url and method.`);
    region = params.get('RegionId') ?? (INSTANCE_ACTIONS.has(action) ? deps.engine.regionOfInstance(params.get('InstanceId') ?? '') : undefined);
    // An instance no region holds: RAM is asked first, then the handler answers InvalidInstanceId.NotFound.
    if (region === undefined && !GLOBAL_ACTIONS.has(action) && !INSTANCE_ACTIONS.has(action)) throw new EcsError('MissingParameter', 'The input parameter "RegionId" that is mandatory for processing this request is not supplied.');
    if (region !== undefined && !findAlibabaRegion(region)) throw new EcsError('InvalidRegionId.NotFound', `The specified RegionId '${region}' does not exist.`);
    const regionId = region ?? 'cn-hangzhou';
    if (deps.faults.isDown(regionId)) throw new EcsError('ServiceUnavailable');
    const fault = deps.faults.decide(action, regionId, 'alibaba', params.get('ZoneId'));
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.code) throw new EcsError(fault.code);
    const denied = deps.faults.iam.firstDenied([`ecs:${action}`]);
    if (denied) {
      const error = new EcsError('Forbidden.RAM');
      error.accessDeniedDetail = ramDeniedDetail(denied);
      throw error;
    }
    if (params.bool('DryRun')) {
      dryRunCheck(deps.engine, action, regionId, params, requestId);
      throw new EcsError('DryRunOperation');
    }
    const answer = deps.engine.handle(action, regionId, params, requestId);
    send(res, 200, format, `${action}Response`, { RequestId: requestId, ...answer }, requestId);
  } catch (e) {
    const error = e instanceof EcsError ? e : new EcsError('InternalError');
    if (!(e instanceof EcsError)) console.error('cloud-twin: internal error (alibaba)', e);
    status = error.status;
    code = error.code;
    send(
      res,
      status,
      format,
      'Error',
      {
        RequestId: requestId,
        HostId: HOST_ID,
        Code: error.code,
        Message: error.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Ecs&requestId=${requestId}`,
        ...(error.accessDeniedDetail ? { AccessDeniedDetail: error.accessDeniedDetail } : {}),
      },
      requestId,
    );
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, provider: 'alibaba', region, action, status, code, ms: Date.now() - started });
}

export interface EcsListener {
  endpoint: string;
  close(): Promise<void>;
}

/** The ECS API on its own port: Alibaba's clients take a host and always call `/`. */
export async function startEcsListener(deps: EcsHttpDeps, host: string, port: { port?: number | undefined; preferred?: number | undefined }): Promise<EcsListener> {
  const checker = new SignatureChecker(deps.secretOf);
  const server: Server = createServer((req, res) => {
    handleEcs(deps, checker, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(413).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await listenPreferring(server, host, port);
  const addr = server.address() as AddressInfo;
  return {
    endpoint: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
