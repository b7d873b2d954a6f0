/** The connection registry: named (driver, region, zone, credential, endpoint) tuples. */
import { ConflictError, NotFoundError, UsageError } from './errors.js';
import { nowIso } from './domain.js';
import type { Connection } from './model.js';
import type { DriverRegistry } from './driver/port.js';
import { formatPath } from './util/field-path.js';
import type { ConnectionStore, McisStore, ResourceStore } from './store/state-store.js';

export interface AddConnectionInput {
  name: string;
  provider: string;
  region: string;
  zone?: string;
  credential?: string;
  endpoint?: string;
  sshPort?: number;
  labels?: Record<string, string>;
  /** Overwrite a connection of that name. */
  replace?: boolean;
}

export class ConnectionService {
  /**
   * `drivers` says which providers have a driver (the registry's `providers()`): a connection to any
   * other is refused when added, not at its first use, and a new driver is accepted without a change here.
   */
  constructor(
    private readonly store: ConnectionStore & Pick<McisStore, 'connectionsInUse'> & Pick<ResourceStore, 'listResources'>,
    private readonly drivers: Pick<DriverRegistry, 'providers'>,
  ) {}

  async add(input: AddConnectionInput): Promise<Connection> {
    // zod loads only when something is validated, not on every CLI start.
    const { Connection } = await import('./model.js');
    const parsed = Connection.safeParse({ ...input, labels: input.labels ?? {}, createdAt: nowIso() });
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
      throw new UsageError('invalid connection', { issues, hint: 'fix the fields listed; nothing was changed' });
    }
    const conn = parsed.data;
    const available = this.drivers.providers();
    if (!available.includes(conn.provider)) {
      throw new UsageError(`provider '${conn.provider}' has no driver in cbadm yet`, {
        hint: `use one of ${available.join(', ')}; nothing was changed`,
      });
    }
    if (conn.credential && !this.store.getCredential(conn.credential)) {
      throw new NotFoundError('credential', conn.credential, { hint: `add it first: cbadm credential add ${conn.credential} --provider ${conn.provider} …` });
    }
    if (!input.replace && this.store.getConnection(conn.name)) {
      throw new ConflictError(`connection '${conn.name}' already exists`, { hint: 'use --replace to overwrite it' });
    }
    this.store.putConnection(conn);
    return conn;
  }

  list(): Connection[] {
    return this.store.listConnections();
  }

  get(name: string): Connection {
    const c = this.store.getConnection(name);
    if (!c) throw new NotFoundError('connection', name, { hint: 'list them with: cbadm connection list' });
    return c;
  }

  remove(name: string): void {
    this.get(name);
    if (this.store.connectionsInUse().has(name)) {
      throw new ConflictError(`connection '${name}' is used by an MCIS`, { hint: 'delete the MCIS that use it first (cbadm mcis list)' });
    }
    const owned = this.store.listResources().filter((r) => r.connection === name);
    if (owned.length) {
      throw new ConflictError(`connection '${name}' still owns default resources: ${owned.map((r) => `${r.kind} (${r.status})`).join(', ')}`, {
        hint: `remove them with: cbadm connection remove ${name} --force (cleans up what the cloud has, forgets the rest)`,
      });
    }
    this.store.deleteConnection(name);
  }
}
