/**
 * Starting the Azure side of a twin: its HTTPS listener (ARM + identity) over an engine that shares
 * the twin's VM lifecycle, loopback addresses, fault rules and snapshot.
 */
import type { AddressInfo } from 'node:net';
import type { Faults } from '../faults.js';
import { listenPreferring } from '../http/listen.js';
import type { RequestLogEntry } from '../http/types.js';
import { ensureTwinTls } from '../tls.js';
import type { LoopbackIps } from '../vm/ips.js';
import { type AzureLifecycle, AzureEngine, type AzureSnapshot } from './engine.js';
import { type AzureAuth, createAzureServer } from './server.js';

export type { AzureSnapshot } from './engine.js';

export interface AzureTwinOptions {
  stateDir: string;
  host: string;
  /** HTTPS port (undefined: `preferredPort` when free, else any free one). */
  port: number | undefined;
  preferredPort?: number | undefined;
  lifecycle: AzureLifecycle;
  ips: LoopbackIps;
  faults: Faults;
  changed: () => void;
  bootDelayMs: number;
  saved?: AzureSnapshot;
  pageSize?: number;
  onRequest?: (e: RequestLogEntry) => void;
  auth: AzureAuth;
}

export interface AzureTwin {
  /** https://127.0.0.1:PORT: ARM endpoint and authority host alike. */
  endpoint: string;
  /** The CA a client must trust for `endpoint`. */
  caFile: string;
  engine: AzureEngine;
  snapshot(): AzureSnapshot;
  /** Stops listening and drops open connections (VMs belong to the lifecycle). */
  close(): Promise<void>;
}

export async function startAzureTwin(o: AzureTwinOptions): Promise<AzureTwin> {
  const tls = await ensureTwinTls(o.stateDir);
  const engine = new AzureEngine({ lifecycle: o.lifecycle, ips: o.ips, changed: o.changed, now: Date.now, bootDelayMs: o.bootDelayMs, ...(o.pageSize ? { pageSize: o.pageSize } : {}) });
  if (o.saved) engine.restore(o.saved);
  const server = createAzureServer({ engine, faults: o.faults, tls, auth: o.auth, ...(o.onRequest ? { onRequest: o.onRequest } : {}) });
  await listenPreferring(server, o.host, { port: o.port, preferred: o.preferredPort });
  const addr = server.address() as AddressInfo;
  const endpoint = `https://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    caFile: tls.caFile,
    engine,
    snapshot: () => engine.snapshot(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
