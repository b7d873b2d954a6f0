import { Flags } from '@oclif/core';
import type { NamedPoint, RecommendResult } from '@cloud-barista/core';
import { BaseCommand } from '../base-command.js';
import { recommendTable } from '../catalog-render.js';
import { specFilterFlags, specFilterOf, warn } from '../spec-flags.js';
import { help } from '../help.js';

export default class Recommend extends BaseCommand<typeof Recommend> {
  static override flags = {
    ...specFilterFlags,
    priority: Flags.string({ summary: 'cost, location, latency, performance; weighted: cost=0.6,location=0.4.', env: 'CB_PRIORITY' }),
    near: Flags.string({ multiple: true, summary: 'A user location LAT,LON (repeatable).' }),
    'near-city': Flags.string({ multiple: true, summary: 'A user location by city name (repeatable).' }),
    'set-size': Flags.integer({ min: 1, max: 20, summary: 'latency: how many regions to place together.' }),
    anchor: Flags.string({ multiple: true, summary: 'latency: a region the set must include (PROVIDER:REGION or a connection name).' }),
    connected: Flags.boolean({ summary: 'Only candidates reachable through a connection.' }),
    limit: Flags.integer({ min: 1, default: 10, summary: 'How many candidates to show.' }),
  };

  protected async execute(): Promise<RecommendResult> {
    const { parseLatLon, cityPoint } = await import('@cloud-barista/core/recommend/geo');
    const { parseWeights } = await import('@cloud-barista/core/recommend/weights');
    const f = this.flags;
    const near: NamedPoint[] = [...(f.near ?? []).map((p) => parseLatLon(p, '--near')), ...(f['near-city'] ?? []).map((c) => cityPoint(c, '--near-city'))];
    const set = f['set-size'] !== undefined || (f.anchor?.length ?? 0) > 0;
    const weights = parseWeights(f.priority ?? ['cost', ...(near.length ? ['location'] : []), ...(set ? ['latency'] : [])].join(','));
    const filter = await specFilterOf(f);
    const { recommend } = await this.core();
    const r = recommend.recommend({
      filter,
      weights,
      near,
      ...(f['set-size'] !== undefined ? { setSize: f['set-size'] } : {}),
      ...(f.anchor?.length ? { anchors: f.anchor.flatMap((a) => a.split(',')).map((a) => recommend.parseAnchor(a)), setSize: f['set-size'] ?? 1 } : {}),
      connectedOnly: f.connected,
      limit: f.limit,
    });
    warn(r.staleWarning);
    for (const w of r.warnings) warn(w);
    return r;
  }

  protected override table(r: RecommendResult): string {
    return recommendTable(r);
  }
}
help(Recommend, 'recommend');
