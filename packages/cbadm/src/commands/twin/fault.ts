import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { makeTable } from '../../render.js';

type FaultState = { faults: Array<{ provider?: string; action: string; code: string; rate: number; latencyMs?: number; region?: string; count?: number }>; outages: string[] };

export default class TwinFault extends BaseCommand<typeof TwinFault> {
  static override summary = 'Show or change fault injection on a running Cloud-Twin.';
  static override description =
    'SPEC is [PROVIDER:]ACTION:CODE:RATE[:LATENCY][@REGION][#COUNT], e.g. RunInstances:InsufficientInstanceCapacity:0.3, *::1:800ms (latency only), StopInstances:RequestLimitExceeded:1#2 (the next two calls), gcp:instances.insert:ZONE_RESOURCE_POOL_EXHAUSTED:1@asia-northeast3-a (GCE: UPPER_CASE codes fail the operation, camelCase reasons such as rateLimitExceeded fail the call). azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:1@koreacentral (ARM: the operation id and its error code). alibaba:RunInstances:OperationDenied.NoStock:1@ap-northeast-2 (ECS: the action and its error code). openstack:servers.create:NoValidHost:1@RegionOne (the build fails: server ERROR), openstack:tokens.create:Unauthorized:1 (Keystone 401), openstack:servers.create:OverLimit:1 (Nova quota 403). cloudit:servers.create:NO_AVAILABLE_HOST:1@kr-seoul-1 (the server lands Failed), cloudit:*:TOO_MANY_REQUESTS:0.1 (Cloudit: the call name and an UPPER_CASE code; the zone is a cluster). PROVIDER is aws (default), gcp, azure, alibaba, openstack or cloudit. Given specs replace the current rules.';
  static override examples = [
    '<%= config.bin %> twin fault',
    '<%= config.bin %> twin fault RunInstances:InsufficientInstanceCapacity:1@ap-northeast-2',
    '<%= config.bin %> twin fault gcp:*:rateLimitExceeded:0.2@us-central1',
    '<%= config.bin %> twin fault --clear',
    '<%= config.bin %> twin fault --outage eu-west-1',
  ];
  static override strict = false;
  static override args = { spec: Args.string({ description: 'Fault rule(s) to set.' }) };
  static override flags = {
    clear: Flags.boolean({ summary: 'Remove every fault rule.' }),
    outage: Flags.string({ multiple: true, summary: 'Take a region down (every call fails with 503 Unavailable).' }),
    restore: Flags.string({ multiple: true, summary: 'Bring a region back.' }),
  };

  protected async execute(): Promise<FaultState> {
    const { twinAdmin } = await import('../../twin/control.js');
    const call = (method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) => twinAdmin<FaultState>(method, path, body, 'see `cbadm twin fault --help` for the spec syntax');
    const specs = this.argv.filter((a) => !a.startsWith('-') && !(this.flags.outage ?? []).includes(a) && !(this.flags.restore ?? []).includes(a));
    if (this.flags.clear || specs.length) await call('PUT', '/faults', this.flags.clear ? [] : specs);
    for (const region of this.flags.outage ?? []) await call('POST', '/outage', { region, down: true });
    for (const region of this.flags.restore ?? []) await call('POST', '/outage', { region, down: false });
    return call('GET', '/faults');
  }

  protected override table(s: FaultState): string {
    const rules = s.faults.length
      ? makeTable(['ACTION', 'CODE', 'RATE', 'LATENCY MS', 'REGION', 'REMAINING'], s.faults.map((f) => [`${f.provider ? `${f.provider}:` : ''}${f.action}`, f.code || '(latency)', f.rate, f.latencyMs, f.region ?? '(all)', f.count ?? '∞']))
      : 'No fault rules.';
    return `${rules}\nRegions down: ${s.outages.length ? s.outages.join(', ') : 'none'}`;
  }
}
