/**
 * Microsoft.Network as the route table sees it: each resource in its own file, and the listings
 * (in a group, or subscription-wide) of all four.
 */
import { type ArmCtx, type ArmResponse, group, page } from './context.js';
import type { NetMap } from './network-base.js';
import { renderNic } from './nics.js';
import { renderPip } from './public-ips.js';
import { renderNsg } from './security-groups.js';
import { renderVnet } from './vnets.js';

export { deleteVnet, getVnet, putVnet, deleteSubnet, getSubnet, listSubnets, putSubnet } from './vnets.js';
export { deleteNsg, getNsg, putNsg, deleteRule, getRule, listRules, putRule } from './security-groups.js';
export { deletePip, getPip, putPip } from './public-ips.js';
export { deleteNic, getNic, putNic } from './nics.js';

const RENDER: Record<NetMap, (ctx: ArmCtx, r: never) => unknown> = {
  vnets: renderVnet,
  nsgs: renderNsg,
  pips: renderPip,
  nics: renderNic,
};

/** `…/{type}` in a group, or subscription-wide when the route has no group. */
export function lister(map: NetMap) {
  return (ctx: ArmCtx): ArmResponse => {
    const rg = ctx.p.rg ? group(ctx).name.toLowerCase() : undefined;
    const items = [...(ctx.sub[map] as Map<string, { seq: number; resourceGroup: string }>).values()].filter((r) => rg === undefined || r.resourceGroup.toLowerCase() === rg);
    return page(ctx, items, (r) => RENDER[map](ctx, r as never));
  };
}
