/** A connection record as `cbadm connection add` stores it, for tests: what they name, plus the defaults. */
import type { Connection } from '@cloud-barista/core';

export function testConnectionOf(fields: Pick<Connection, 'name' | 'provider' | 'region'> & Partial<Connection>): Connection {
  return { sshPort: 22, labels: {}, createdAt: new Date().toISOString(), ...fields };
}
