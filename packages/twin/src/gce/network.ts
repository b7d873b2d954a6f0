/** A project's networking as the engine and routes see it: the default network and every handler. */
import type { GceEnv } from './context.js';
import { createFirewall, FIREWALL_HANDLERS } from './firewalls.js';
import type { FirewallRule, GceProject } from './model.js';
import { createNetwork, NETWORK_HANDLERS as NETWORKS } from './networks.js';

/** The network every new project has: auto mode, with Google's four default rules. */
export function addDefaultNetwork(env: GceEnv, p: GceProject): void {
  createNetwork(env, p, { name: 'default', description: 'Default network for the project', autoCreateSubnetworks: true, routingMode: 'REGIONAL', mtu: 1460 });
  const rule = (name: string, description: string, allowed: FirewallRule[], sourceRanges: string[], priority = 65534) =>
    createFirewall(env, p, { name, description, network: 'default', priority, direction: 'INGRESS', allowed, sourceRanges, disabled: false });
  rule('default-allow-icmp', 'Allow ICMP from anywhere', [{ IPProtocol: 'icmp' }], ['0.0.0.0/0']);
  rule('default-allow-internal', 'Allow internal traffic on the default network', [{ IPProtocol: 'tcp', ports: ['0-65535'] }, { IPProtocol: 'udp', ports: ['0-65535'] }, { IPProtocol: 'icmp' }], ['10.128.0.0/9']);
  rule('default-allow-rdp', 'Allow RDP from anywhere', [{ IPProtocol: 'tcp', ports: ['3389'] }], ['0.0.0.0/0']);
  rule('default-allow-ssh', 'Allow SSH from anywhere', [{ IPProtocol: 'tcp', ports: ['22'] }], ['0.0.0.0/0']);
}

export const NETWORK_HANDLERS = { ...NETWORKS, ...FIREWALL_HANDLERS };
