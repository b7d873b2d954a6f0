/** Shared set-up for Docker tests against Cloud-Twin: a twin, a connection to its Engine socket. */
import type { Connection } from '@cloud-barista/core';
import type { TwinOptions } from '@cloud-barista/twin';
import { startTwinBed, type Twin, type TwinBed } from './twin-bed.js';

export type { Twin };

export function dockerConnection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return {
    name: 'twin-docker',
    provider: 'docker',
    region: twin.status().docker.host,
    endpoint: twin.endpoints.docker,
    sshPort: 22,
    labels: {},
    createdAt: new Date().toISOString(),
    ...over,
  };
}

/** Containers are entered by Engine exec, not SSH: the twin's VM SSH port only has to be free. */
export async function bootTwin(sshPort = 20_000 + Math.floor(Math.random() * 40_000), over: Partial<TwinOptions> = {}): Promise<TwinBed & { cleanup(): Promise<void> }> {
  const bed = await startTwinBed('cb-drivers-docker-', { bootDelayMs: 50, stopDelayMs: 20, sshPort, ...over });
  return { ...bed, cleanup: () => bed.close() };
}
