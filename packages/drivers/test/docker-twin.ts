/** Shared set-up for Docker tests against Cloud-Twin: a twin, a connection to its Engine socket. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@cloud-barista/core';
import { startTwin, type TwinOptions } from '@cloud-barista/twin';

export type Twin = Awaited<ReturnType<typeof startTwin>>;

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

export async function bootTwin(over: Partial<TwinOptions> = {}): Promise<{ twin: Twin; cleanup(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cb-drivers-docker-'));
  const twin = await startTwin({ stateDir, bootDelayMs: 50, stopDelayMs: 20, sshPort: 20_000 + Math.floor(Math.random() * 40_000), port: 0, log: () => {}, ...over });
  return {
    twin,
    cleanup: async () => {
      await twin.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
