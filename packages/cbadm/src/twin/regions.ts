/** What every provider's twin connector shares: its stored credential, a connection per region its driver lists. */
import type { Core, DriverRegistry, Provider } from '@cloud-barista/core';
import type { TwinCredentials } from '@cloud-barista/twin/credentials';
import type { ProviderConnector, TwinConnection } from './types.js';
import type { TwinInfo } from './control.js';

type CredentialInput = Parameters<Core['credentials']['add']>[0];

/**
 * Stores the twin's credential unless the stored one has the same kind and the same `compared`
 * fields: a twin whose state dir was made anew has new secrets, and the stored ones are replaced.
 */
export async function keepTwinCredential(core: Core, input: CredentialInput, compared: Array<keyof CredentialInput>): Promise<void> {
  const stored = core.store.getCredential(input.name) ? (core.credentials.material(input.name) as Record<string, unknown>) : undefined;
  if (stored?.kind === input.kind && compared.every((k) => stored[k] === input[k])) return;
  await core.credentials.add({ ...input, replace: true });
}

/**
 * One connection per region the provider's driver lists, each pointed at the twin's endpoint for
 * that provider (plus `extra` connection fields: project, CA file, subscription…). The regions come
 * through the driver, probed with a throwaway connection, so the path is the one a user's takes.
 */
export async function connectRegions(
  core: Core,
  drivers: DriverRegistry,
  twin: TwinInfo,
  o: { provider: Provider; credential: string; endpoint: string; probeRegion: string; extra?: Record<string, string> },
): Promise<TwinConnection[]> {
  const extra = o.extra ?? {};
  const factory = await drivers.load(o.provider);
  const probe = factory({
    connection: { name: `twin-${o.provider}-probe`, provider: o.provider, region: o.probeRegion, endpoint: o.endpoint, sshPort: twin.sshPort, labels: {}, createdAt: new Date().toISOString(), ...extra },
    credentials: core.credentials.material(o.credential),
  });
  try {
    const out: TwinConnection[] = [];
    for (const r of await probe.catalog.listRegions()) {
      const c = await core.connections.add({
        // Connection names are lower-case (OpenStack's RegionOne becomes twin-openstack-regionone).
        name: `twin-${o.provider}-${r.name.toLowerCase()}`,
        provider: o.provider,
        region: r.name,
        ...(r.zones[0] ? { zone: r.zones[0] } : {}),
        credential: o.credential,
        endpoint: o.endpoint,
        sshPort: twin.sshPort,
        labels: { twin: 'true' },
        replace: true,
        ...extra,
      });
      out.push({ name: c.name, provider: o.provider, region: c.region, ...(c.zone ? { zone: c.zone } : {}), endpoint: o.endpoint });
    }
    return out;
  } finally {
    probe.close();
  }
}

/**
 * The connector of a cloud whose twin needs no more than its credential (`twin-<provider>`, from
 * what the twin accepts) and a connection per region at its endpoint.
 */
export function regionConnector(o: {
  provider: Provider;
  probeRegion: string;
  /** The credential's kind and fields, made from what the running twin accepts. */
  credential: (creds: TwinCredentials, endpoint: string) => Omit<CredentialInput, 'name' | 'provider'>;
  /** The fields whose change means the stored credential is replaced. */
  compared: Array<keyof CredentialInput>;
}): ProviderConnector {
  const name = `twin-${o.provider}`;
  return {
    credential: name,
    async connect(core, drivers, twin, creds) {
      const endpoint = twin.endpoints[o.provider];
      if (!endpoint) return [];
      await keepTwinCredential(core, { name, provider: o.provider, ...o.credential(creds, endpoint) }, o.compared);
      return connectRegions(core, drivers, twin, { provider: o.provider, credential: name, endpoint, probeRegion: o.probeRegion });
    },
  };
}
