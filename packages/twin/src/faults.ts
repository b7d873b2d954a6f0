/** Fault injection: per-action errors and latency, per-region outages, for every emulated provider. */
import { hostname } from 'node:os';
import { findRegion } from './data/aws.js';
import { findAlibabaRegion, regionOfAlibabaZone } from './data/alibaba.js';
import { findAzureRegion } from './data/azure.js';
import { findGcpRegion, regionOfZone } from './data/gcp.js';
import { parseDuration } from './duration.js';
import { Iam } from './iam.js';
import { findCluster } from './cloudit/catalog.js';
import { findOpenStackRegion } from './openstack/catalog.js';

interface ProviderNaming {
  /** Whether `name` is one of the provider's regions (or zones, where rules may name one). */
  region(name: string): boolean;
  action: RegExp;
  /** How the action is described in errors. */
  actionName: string;
}

/**
 * How each provider names actions and regions. A rule without `provider` is an EC2 rule, so the
 * original syntax keeps its meaning.
 */
const PROVIDERS: Record<string, ProviderNaming> = {
  aws: { region: (r) => findRegion(r) !== undefined, action: /^[A-Z][A-Za-z0-9]*$/, actionName: 'an EC2 action name' },
  gcp: {
    region: (r) => findGcpRegion(r) !== undefined || regionOfZone(r) !== undefined,
    action: /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/,
    actionName: 'a GCE method name (instances.insert)',
  },
  azure: {
    region: (r) => findAzureRegion(r) !== undefined,
    // ARM operation ids as the REST specs name them.
    action: /^[A-Z][A-Za-z]*_[A-Z][A-Za-z]*$/,
    actionName: 'an ARM operation id (VirtualMachines_CreateOrUpdate)',
  },
  alibaba: {
    region: (r) => findAlibabaRegion(r) !== undefined || regionOfAlibabaZone(r) !== undefined,
    action: /^[A-Z][A-Za-z0-9]*$/,
    actionName: 'an ECS action name (RunInstances)',
  },
  docker: {
    // A Docker host is its one region, named as the daemon names itself (the twin's: this host's name).
    region: (r) => r === hostname(),
    action: /^[A-Z][A-Za-z]*$/,
    actionName: 'a Docker Engine operation id (ContainerCreate, ImageCreate, ExecStart)',
  },
  openstack: {
    region: (r) => findOpenStackRegion(r) !== undefined,
    action: /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/,
    actionName: 'an OpenStack call name (servers.create, floatingIps.create, tokens.create)',
  },
  cloudit: {
    // Cloudit's zones are its clusters.
    region: (r) => findCluster(r) !== undefined,
    action: /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/,
    actionName: 'a Cloudit call name (servers.create, adaptiveIps.create, auth.token)',
  },
};

export interface FaultRule {
  /** `aws` (the default when absent), `gcp`, … */
  provider?: string;
  /** The provider's action (`RunInstances`, `instances.insert`) or `*` for every action. */
  action: string;
  /** Error code to answer with (e.g. `RequestLimitExceeded`); empty for latency only. */
  code: string;
  /** Probability in 0..1 that a matching request is hit. */
  rate: number;
  /** Delay added before answering a request the rule hits. */
  latencyMs?: number;
  /** Only requests for this region (for GCE: a region, or a zone). */
  region?: string;
  /** Hit at most this many requests, then the rule is spent. */
  count?: number;
}

export interface FaultDecision {
  latencyMs: number;
  /** The error code to answer with, if any. */
  code?: string;
}

function checkRegion(region: string, provider?: string): void {
  const known = provider ? PROVIDERS[provider]?.region(region) : Object.values(PROVIDERS).some((p) => p.region(region));
  if (!known) throw new Error(`unknown region '${region}'`);
}

/** Validates a rule from JSON (admin API) and returns a clean copy. */
export function validateFaultRule(x: unknown): FaultRule {
  if (typeof x === 'string') return parseFaultSpec(x);
  if (typeof x !== 'object' || x === null) throw new Error('a fault rule must be an object or a spec string');
  const r = x as Record<string, unknown>;
  const provider = typeof r.provider === 'string' ? r.provider : r.provider === undefined ? 'aws' : '';
  const action = r.action;
  const code = r.code ?? '';
  const rate = r.rate ?? 1;
  const naming = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : undefined;
  if (!naming) throw new Error(`fault.provider must be one of ${Object.keys(PROVIDERS).join(', ')}, got ${JSON.stringify(r.provider)}`);
  if (typeof action !== 'string' || !(action === '*' || naming.action.test(action))) {
    throw new Error(`fault.action must be ${naming.actionName} or '*', got ${JSON.stringify(action)}`);
  }
  if (typeof code !== 'string' || !/^([A-Za-z][A-Za-z0-9._]*)?$/.test(code)) {
    throw new Error(`fault.code must be an error code like RequestLimitExceeded, got ${JSON.stringify(code)}`);
  }
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new Error(`fault.rate must be in 0..1, got ${JSON.stringify(rate)}`);
  const rule: FaultRule = { ...(r.provider !== undefined ? { provider } : {}), action, code, rate };
  if (r.latencyMs !== undefined) {
    if (typeof r.latencyMs !== 'number' || r.latencyMs < 0) throw new Error('fault.latencyMs must be a number >= 0');
    rule.latencyMs = r.latencyMs;
  }
  if (r.region !== undefined) {
    if (typeof r.region !== 'string') throw new Error('fault.region must be a region name');
    checkRegion(r.region, provider);
    rule.region = r.region;
  }
  if (r.count !== undefined) {
    if (typeof r.count !== 'number' || !Number.isInteger(r.count) || r.count < 1) throw new Error('fault.count must be an integer >= 1');
    rule.count = r.count;
  }
  if (!rule.code && !rule.latencyMs) throw new Error('a fault rule needs a code, a latency, or both');
  return rule;
}

/**
 * Parses a fault spec as given on the command line:
 *
 *     [PROVIDER:]ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT]
 *
 * - PROVIDER: `aws` (default), `gcp`, `azure`, …
 * - ACTION: the provider's action (`RunInstances`, `instances.insert`) or `*` for all.
 * - CODE: the EC2 error code to answer with (`InsufficientInstanceCapacity`,
 *   `RequestLimitExceeded`, `Unavailable`, …), or `-` / empty for latency only.
 * - RATE: probability 0..1 that a matching request is hit.
 * - LATENCY: added delay for hit requests: `500ms`, `2s`, or plain milliseconds.
 * - REGION: only requests signed for that region.
 * - COUNT: hit at most that many requests.
 *
 * Examples: `RunInstances:InsufficientInstanceCapacity:0.3`, `*:RequestLimitExceeded:0.1@us-east-1`,
 * `DescribeInstances:-:1:800ms`, `RunInstances:InsufficientInstanceCapacity:1#2`,
 * `gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:1@asia-northeast3`, `gcp:*:rateLimitExceeded:0.2`,
 * `azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:1@koreacentral`, `azure:*:TooManyRequests:0.1`,
 * `alibaba:RunInstances:OperationDenied.NoStock:1@ap-northeast-2`, `alibaba:*:Throttling:0.1`.
 * `cloudit:servers.create:NO_AVAILABLE_HOST:1@kr-seoul-1`, `cloudit:*:TOO_MANY_REQUESTS:0.1`,
 * `openstack:servers.create:NoValidHost:1@RegionOne`, `openstack:tokens.create:Unauthorized:1`, `openstack:servers.create:OverLimit:1`.
 * `docker:ContainerCreate:InternalError:1`, `docker:ImageCreate:-:1:2s`.
 */
export function parseFaultSpec(spec: string): FaultRule {
  let rest = spec.trim();
  let count: number | undefined;
  let region: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    count = Number(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    region = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const parts = rest.split(':');
  // Provider names never look like actions, so a leading one is unambiguous.
  const provider = parts[0] !== undefined && Object.hasOwn(PROVIDERS, parts[0]) ? parts.shift() : undefined;
  if (parts.length < 3 || parts.length > 4) {
    throw new Error(`bad fault spec '${spec}': expected ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT], optionally after PROVIDER:`);
  }
  const [action, code, rateText, latencyText] = parts as [string, string, string, string | undefined];
  const rate = Number(rateText);
  if (rateText === '' || Number.isNaN(rate)) throw new Error(`bad fault spec '${spec}': rate '${rateText}' is not a number`);
  const rule: Record<string, unknown> = { ...(provider ? { provider } : {}), action, code: code === '-' ? '' : code, rate };
  if (latencyText !== undefined) rule.latencyMs = parseDuration(latencyText);
  if (region !== undefined) rule.region = region;
  if (count !== undefined) rule.count = count;
  try {
    return validateFaultRule(rule);
  } catch (e) {
    throw new Error(`bad fault spec '${spec}': ${(e as Error).message}`);
  }
}

export class Faults {
  private rules: FaultRule[] = [];
  private readonly down = new Set<string>();
  /** Denied permissions (admin API `PUT /_twin/iam`): every API answers with its own authorization error. */
  readonly iam = new Iam();

  constructor(rules: readonly (FaultRule | string)[] = [], private readonly random: () => number = Math.random) {
    this.set(rules);
  }

  set(rules: readonly unknown[]): void {
    this.rules = rules.map(validateFaultRule);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  setOutage(region: string, down: boolean): void {
    checkRegion(region);
    if (down) this.down.add(region);
    else this.down.delete(region);
  }

  outages(): string[] {
    return [...this.down].sort();
  }

  isDown(region: string): boolean {
    return this.down.has(region);
  }

  /**
   * Which rules hit this request: their latency adds up; the first code wins. `region` is the
   * request's region; `zone`, where the API has one, also matches rules naming that zone.
   */
  decide(action: string, region: string, provider = 'aws', zone?: string): FaultDecision {
    const out: FaultDecision = { latencyMs: 0 };
    for (const rule of this.rules) {
      if ((rule.provider ?? 'aws') !== provider) continue;
      if (rule.action !== '*' && rule.action !== action) continue;
      if (rule.region !== undefined && rule.region !== region && rule.region !== zone) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (out.code && rule.code) continue;
      if (this.random() >= rule.rate) continue;
      if (rule.count !== undefined) rule.count--;
      out.latencyMs += rule.latencyMs ?? 0;
      if (rule.code) out.code = rule.code;
    }
    return out;
  }
}
