/**
 * One driver instance per connection for the length of a command, created on first use. It reads
 * connections through the one method it needs, so the port stays below the store.
 */
import type { CloudDriver, DriverRegistry } from './port.js';
import type { CredentialService } from '../credentials.js';
import type { Connection } from '../model.js';
import { NotFoundError } from '../errors.js';

export class DriverPool {
  private readonly drivers = new Map<string, Promise<{ connection: Connection; driver: CloudDriver }>>();

  constructor(
    private readonly store: { getConnection(name: string): Connection | undefined },
    private readonly registry: DriverRegistry,
    private readonly credentials: Pick<CredentialService, 'material'>,
  ) {}

  connection(name: string): Connection {
    const c = this.store.getConnection(name);
    if (!c) throw new NotFoundError('connection', name, { hint: 'list them with `cbadm connection list`, or add it with `cbadm connection add`' });
    return c;
  }

  get(name: string): Promise<{ connection: Connection; driver: CloudDriver }> {
    let entry = this.drivers.get(name);
    if (!entry) {
      entry = (async () => {
        const connection = this.connection(name);
        const credentials = this.credentials.material(connection.credential);
        const factory = await this.registry.load(connection.provider);
        return { connection, driver: factory({ connection, credentials }) };
      })();
      this.drivers.set(name, entry);
      entry.catch(() => this.drivers.delete(name));
    }
    return entry;
  }

  async closeAll(): Promise<void> {
    for (const entry of this.drivers.values()) {
      try {
        (await entry).driver.close();
      } catch {
        // a driver that failed to load has nothing to close
      }
    }
    this.drivers.clear();
  }
}
