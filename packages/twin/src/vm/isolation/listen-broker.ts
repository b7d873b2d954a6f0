/**
 * Listening sockets inside VM network namespaces, made by one process per twin (listen-broker.py.ts)
 * instead of one Node helper per socket; where Python is missing, the per-socket helper
 * (`listenIn`, machine.ts) still does it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { LISTEN_BROKER } from './listen-broker.py.js';
import { listenIn } from './machine.js';

const PYTHON = '/usr/bin/python3';

interface Pending {
  resolve(server: Server): void;
  reject(e: Error): void;
}

export class ListenBroker {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor() {
    if (existsSync(PYTHON)) this.spawn();
  }

  private spawn(): void {
    const child = spawn(PYTHON, ['-I', '-c', LISTEN_BROKER], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('message', (m: { id: number; error?: string }, handle?: Server) => {
      const p = this.pending.get(m.id);
      if (!p) return handle?.close();
      this.pending.delete(m.id);
      if (handle) p.resolve(handle);
      // No `code`: a port taken inside the VM is not the public address being taken (as with listenIn).
      else p.reject(new Error(`cannot listen in the VM's network namespace: ${m.error ?? 'no socket'}`));
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const p of this.pending.values()) p.reject(new Error(`the listen broker ended (${why})${err ? `: ${err.trim()}` : ''}`));
      this.pending.clear();
    };
    child.once('error', (e) => gone(e.message));
    child.once('exit', (code, signal) => gone(`exit ${code ?? signal}`));
    // It must not keep the twin alive: it ends when the twin closes the channel.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.child = child;
  }

  /** A socket listening on `host:port` inside namespace `ns`. */
  async listen(ns: string, host: string, port: number): Promise<Server> {
    const child = this.child;
    if (!child?.connected) {
      const [server] = await listenIn(ns, [{ host, port }]);
      if (!server) throw new Error(`cannot listen in the VM's network namespace ${ns}`);
      return server;
    }
    const id = this.nextId++;
    return new Promise<Server>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, ns, host, port }, (e) => {
        if (!e) return;
        this.pending.delete(id);
        reject(e);
      });
    });
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child?.connected) child.disconnect();
    child?.kill('SIGKILL');
  }
}
