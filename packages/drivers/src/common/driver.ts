/**
 * How every driver is put together. A cloud's index.ts builds its context (client, settings) and
 * hands `assembleDriver` its table: the port's resources as factories of that context, plus what
 * only it knows (provider, capabilities, ping, permissions, close). Adding a cloud is filling the
 * table, not writing the port's shape again.
 */
import type {
  CatalogApi,
  CloudDriver,
  DriverCapabilities,
  FirewallApi,
  KeyPairApi,
  NetworkApi,
  PermissionCheck,
  VmApi,
} from '@cloud-barista/core/driver/port';
import type { Provider } from '@cloud-barista/core/model';
import { keysWithEachVm } from './keys.js';

/** One resource of the port, built from the cloud's context. */
export type Part<C, T> = (ctx: C) => T;

/** The optional ingress half of NetworkApi, where a cloud keeps it in a file of its own (firewall.ts). */
export type IngressApi = Pick<NetworkApi, 'allowIngress' | 'revokeIngress'>;

export interface DriverParts<C> {
  catalog: Part<C, CatalogApi>;
  /** The default network; with the ingress half as a second factory where the cloud keeps it apart. */
  network: Part<C, NetworkApi> | readonly [Part<C, NetworkApi>, Part<C, IngressApi>];
  /** Absent: the cloud keeps no key pairs and the key travels with each VM (`keysWithEachVm`). */
  keys?: Part<C, KeyPairApi>;
  vms: Part<C, VmApi>;
  /** The port's optional MCIS firewall. */
  firewall?: Part<C, FirewallApi>;
}

export interface DriverTable<C> {
  provider: Provider;
  capabilities: DriverCapabilities;
  parts: DriverParts<C>;
  ping: CloudDriver['ping'];
  /** Given the assembled catalog (a check may need an image or a spec to ask about). */
  checkPermissions?: (catalog: CatalogApi) => Promise<PermissionCheck[]>;
  /** Frees the clients; absent where there is nothing to free. */
  close?: () => void;
}

/**
 * A cloud's capabilities: how it suspends, and what it cannot do. Every driver here creates
 * idempotently (a client token where the API takes one, else the token in a tag or name that is
 * looked up before a launch), so that is the default.
 */
export function capabilitiesOf(suspendMethod: string, o: Partial<Omit<DriverCapabilities, 'suspendMethod'>> = {}): DriverCapabilities {
  return { unsupported: {}, idempotentCreate: true, ...o, suspendMethod };
}

/** The driver port from a cloud's context and table. */
export function assembleDriver<C>(ctx: C, table: DriverTable<C>): CloudDriver {
  const { parts } = table;
  const catalog = parts.catalog(ctx);
  const network = typeof parts.network === 'function' ? parts.network(ctx) : { ...parts.network[0](ctx), ...parts.network[1](ctx) };
  const checkPermissions = table.checkPermissions;
  return {
    provider: table.provider,
    capabilities: table.capabilities,
    catalog,
    network,
    keys: parts.keys ? parts.keys(ctx) : keysWithEachVm(),
    vms: parts.vms(ctx),
    ...(parts.firewall ? { firewall: parts.firewall(ctx) } : {}),
    ping: table.ping,
    ...(checkPermissions ? { checkPermissions: () => checkPermissions(catalog) } : {}),
    close: table.close ?? (() => {}),
  };
}

/**
 * The connection's zone, else the one `discover` picks from the region, asked once and shared by
 * every caller; a failed discovery is forgotten, so the next call asks again.
 */
export function zoneOnce(given: string | undefined, discover: () => Promise<string>): () => Promise<string> {
  let zone: Promise<string> | undefined;
  return () =>
    (zone ??= given
      ? Promise.resolve(given)
      : discover().catch((e: unknown) => {
          zone = undefined;
          throw e;
        }));
}

/** What `call` answered and how long it took, in whole milliseconds. */
export async function timed<T>(call: () => Promise<T>): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now();
  const value = await call();
  return { value, latencyMs: Math.round(performance.now() - started) };
}

/** How long one cheap authenticated call takes, in whole milliseconds (what `ping` reports). */
export async function latencyOf(call: () => Promise<unknown>): Promise<number> {
  return (await timed(call)).latencyMs;
}
