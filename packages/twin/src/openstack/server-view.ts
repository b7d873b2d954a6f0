/**
 * A Nova server as the API shows it: `status` and the OS-EXT-STS triple (`vm_state`, `task_state`,
 * `power_state`) from the shared lifecycle's state, addresses from its Neutron ports and floating
 * IPs, and the fields later microversions add (tags 2.26, embedded flavor 2.47).
 */
import { FLAVORS, findImage } from './catalog.js';
import { atLeast, type OsCtx } from './context.js';
import type { RegionData, Server } from './model.js';

export interface NovaState {
  status: string;
  vm_state: string;
  task_state: string | null;
  /** 0 NOSTATE, 1 RUNNING, 4 SHUTDOWN. */
  power_state: number;
}

/** Nova's view of a server's state: what a driver maps back (drivers/src/openstack/states.ts). */
export function novaState(s: Server, now: number): NovaState {
  if (s.fault || (s.vm.state === 'terminated' && !s.deleting)) return { status: 'ERROR', vm_state: 'error', task_state: null, power_state: 0 };
  const deleting = s.deleting ? 'deleting' : null;
  switch (s.vm.state) {
    case 'pending':
      return s.built
        ? { status: 'SHUTOFF', vm_state: 'stopped', task_state: deleting ?? 'powering-on', power_state: 4 }
        : { status: 'BUILD', vm_state: 'building', task_state: deleting ?? 'spawning', power_state: 0 };
    case 'running':
      if (!deleting && (s.rebootUntil ?? 0) > now) return { status: 'REBOOT', vm_state: 'active', task_state: 'rebooting', power_state: 1 };
      return { status: 'ACTIVE', vm_state: 'active', task_state: deleting, power_state: 1 };
    case 'stopping':
      return { status: 'ACTIVE', vm_state: 'active', task_state: deleting ?? 'powering-off', power_state: 1 };
    case 'stopped':
      return { status: 'SHUTOFF', vm_state: 'stopped', task_state: deleting, power_state: 4 };
    case 'shutting-down':
    case 'terminated':
      return { status: 'ACTIVE', vm_state: 'active', task_state: 'deleting', power_state: 1 };
  }
}

function addresses(r: RegionData, s: Server): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const p of r.ports.values()) {
    if (p.device_id !== s.id) continue;
    const net = r.networks.get(p.network_id)?.name ?? p.network_id;
    const list = (out[net] ??= []);
    for (const ip of p.fixed_ips) {
      list.push({ version: 4, addr: ip.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': p.mac_address });
      for (const f of r.floatingIps.values()) {
        if (f.port_id === p.id) list.push({ version: 4, addr: f.floating_ip_address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': p.mac_address });
      }
    }
  }
  return out;
}

export function links(base: string, kind: string, id: string): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${base}/${kind}/${id}` },
    { rel: 'bookmark', href: `${base.replace(/\/v2\.1$/, '')}/${kind}/${id}` },
  ];
}

/** The server's groups as Nova shows them: those of its Neutron ports (a port update changes them), by name. */
function serverGroups(r: RegionData, s: Server): string[] {
  const ids = [...r.ports.values()].filter((p) => p.device_id === s.id && p.device_owner === 'compute:nova').flatMap((p) => p.security_groups);
  if (ids.length === 0) return s.security_groups;
  return [...new Set(ids)].map((id) => r.securityGroups.get(id)?.name ?? id);
}

export function serverView(ctx: OsCtx, s: Server): Record<string, unknown> {
  const st = novaState(s, ctx.engine.now());
  const flavor = FLAVORS.find((f) => f.id === s.flavor)!;
  const image = findImage(ctx.region.name, s.image);
  return {
    id: s.id,
    name: s.name,
    status: st.status,
    tenant_id: ctx.projectId,
    user_id: ctx.userId,
    metadata: s.metadata,
    hostId: s.vm.state === 'running' ? 'c0ffee' + s.id.replace(/-/g, '').slice(0, 50) : '',
    // Booted from a volume: Nova shows no image; the volume is attached.
    image: image && !s.root_volume ? { id: image.id, links: links(ctx.base, 'images', image.id) } : '',
    flavor: atLeast(ctx, '2.47')
      ? { vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, ephemeral: 0, swap: 0, original_name: flavor.name, extra_specs: flavor.extra_specs }
      : { id: flavor.id, links: links(ctx.base, 'flavors', flavor.id) },
    created: s.created_at,
    updated: s.updated_at,
    addresses: addresses(ctx.region, s),
    accessIPv4: '',
    accessIPv6: '',
    links: links(ctx.base, 'servers', s.id),
    'OS-DCF:diskConfig': 'MANUAL',
    progress: st.status === 'BUILD' ? 0 : 100,
    'OS-EXT-AZ:availability_zone': s.availability_zone,
    config_drive: '',
    key_name: s.key_name,
    'OS-SRV-USG:launched_at': s.built ? s.created_at.replace('Z', '.000000') : null,
    'OS-SRV-USG:terminated_at': null,
    security_groups: serverGroups(ctx.region, s).map((name) => ({ name })),
    'OS-EXT-STS:task_state': st.task_state,
    'OS-EXT-STS:vm_state': st.vm_state,
    'OS-EXT-STS:power_state': st.power_state,
    'os-extended-volumes:volumes_attached': s.root_volume ? [{ id: s.root_volume.id, ...(atLeast(ctx, '2.3') ? { delete_on_termination: s.root_volume.delete_on_termination } : {}) }] : [],
    ...(atLeast(ctx, '2.9') ? { locked: false } : {}),
    ...(atLeast(ctx, '2.19') ? { description: null } : {}),
    ...(atLeast(ctx, '2.26') ? { tags: s.tags } : {}),
    ...(atLeast(ctx, '2.73') ? { locked_reason: null } : {}),
    ...(s.fault || st.status === 'ERROR' ? { fault: s.fault ?? { code: 500, message: 'Internal error on launch', created: s.updated_at } } : {}),
  };
}
