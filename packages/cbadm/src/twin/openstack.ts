/**
 * Twin connections for OpenStack: the twin's Keystone user stored as an openstack-password
 * credential, one connection per region of the twin's service catalog (found through the driver),
 * and a clouds.yaml entry (`cb-twin`) beside the twin's state, so the real `openstack` client can
 * look at what cbadm made: `OS_CLIENT_CONFIG_FILE=<file> openstack --os-cloud cb-twin server list`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { OpenStackCredentials } from '@cloud-barista/twin/credentials';
import { connectRegions, keepTwinCredential } from './regions.js';
import type { ProviderConnector } from './types.js';

const CREDENTIAL = 'twin-openstack';
/** The cloud's name in the clouds.yaml twin connect writes. */
export const TWIN_CLOUD = 'cb-twin';

/** A clouds.yaml (openstacksdk's format) naming the twin's Keystone and user. */
export function twinCloudsYaml(authUrl: string, o: OpenStackCredentials, region = 'RegionOne'): string {
  const auth = { auth_url: authUrl, username: o.username, password: o.password, project_name: o.projectName, user_domain_name: o.domain, project_domain_name: o.domain };
  return `# Written by cbadm twin connect: the Cloud-Twin's OpenStack. Use it with:\n#   OS_CLIENT_CONFIG_FILE=<this file> openstack --os-cloud ${TWIN_CLOUD} server list\n${stringify({ clouds: { [TWIN_CLOUD]: { auth, region_name: region, identity_api_version: 3 } } })}`;
}

export function cloudsYamlPath(stateDir: string): string {
  return join(stateDir, 'clouds.yaml');
}

export const connectOpenStack: ProviderConnector = {
  credential: CREDENTIAL,
  async connect(core, drivers, twin, { openstack: o }) {
    const authUrl = twin.endpoints.openstack;
    if (!authUrl) return [];
    const login = { authUrl, username: o.username, password: o.password, userDomain: o.domain, projectName: o.projectName, projectDomain: o.domain };
    await keepTwinCredential(core, { name: CREDENTIAL, provider: 'openstack', kind: 'openstack-password', ...login }, ['authUrl', 'username', 'password']);
    // It holds the twin's password, as any clouds.yaml does: owner-only.
    writeFileSync(cloudsYamlPath(core.home.twin), twinCloudsYaml(authUrl, o), { mode: 0o600 });
    return connectRegions(core, drivers, twin, { provider: 'openstack', credential: CREDENTIAL, endpoint: authUrl, probeRegion: 'RegionOne' });
  },
};
