/** The twin's Docker daemon: state, containers on the VM runtime, exec, and the API listeners. */
import { join } from 'node:path';
import type { Faults } from '../faults.js';
import type { OnRequest } from '../http/types.js';
import { Containers, type ContainerRuntime } from './containers.js';
import { DockerState, hostInfo } from './engine.js';
import { Execs } from './exec.js';
import { type DockerListener, startDockerListener } from './http.js';
import type { DockerSnapshot } from './model.js';

export type { DockerSnapshot } from './model.js';

export interface DockerTwinOptions {
  stateDir: string;
  host: string;
  port?: number | undefined;
  preferredPort?: number | undefined;
  runtime: ContainerRuntime;
  faults: Faults;
  changed: () => void;
  log: (m: string) => void;
  saved?: DockerSnapshot | undefined;
  onRequest?: OnRequest | undefined;
}

export interface DockerTwin {
  state: DockerState;
  /** `unix://<stateDir>/docker.sock` */
  socketUrl: string;
  /** `tcp://127.0.0.1:PORT` */
  tcpUrl: string;
  port: number;
  snapshot(): DockerSnapshot;
  /** Containers by Docker state. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startDockerTwin(o: DockerTwinOptions): Promise<DockerTwin> {
  const state = new DockerState(hostInfo(), o.changed);
  if (o.saved) state.restore(o.saved);
  const containers = new Containers(state, o.runtime, o.log);
  const execs = new Execs(state, containers);
  const listener: DockerListener = await startDockerListener({ api: { state, containers, execs, stateDir: o.stateDir }, faults: o.faults, onRequest: o.onRequest }, join(o.stateDir, 'docker.sock'), o.host, {
    port: o.port,
    preferred: o.preferredPort,
  });
  containers.restoreAll();
  return {
    state,
    socketUrl: listener.socketUrl,
    tcpUrl: listener.tcpUrl,
    port: listener.port,
    snapshot: () => state.snapshot(),
    counts: () => {
      const out: Record<string, number> = {};
      for (const c of state.containers.values()) out[c.status] = (out[c.status] ?? 0) + 1;
      return out;
    },
    close: async () => {
      await listener.close();
      await containers.close();
    },
  };
}
