/** What McisService's long operations return (and carry in a PartialError when some VMs failed). */
import type { ApplyOutcome } from './apply.js';
import type { Change } from './diff.js';
import type { FailoverMove } from './failover.js';
import type { ConnectionCleanup } from './resources.js';
import type { McisView } from './view.js';

export interface CreateResult {
  mcis: McisView;
  launched: string[];
  adopted: string[];
  failed: Array<{ vm: string; error: string }>;
  /** VMs removed by the refine policy. */
  removed: string[];
  rolledBack: boolean;
  /** Requirement subgroups moved to their next candidate (--max-failover). */
  failovers: FailoverMove[];
}

export interface ApplyResult extends ApplyOutcome {
  mcis: McisView;
}

export interface DriftResult {
  ns: string;
  name: string;
  /** Where the clouds disagree with the record; empty when they agree. */
  changes: Change[];
  /** Connections that could not be asked, and why: what they hold was not checked. */
  unreachable: Array<{ connection: string; error: string }>;
}

export interface DeleteResult {
  /** The MCIS name once its record is gone; null while it stays Deleting. */
  deleted: string | null;
  /** VMs that could not be terminated (the record keeps them). */
  failedVms: Array<{ vm: string; error: string }>;
  /** Per connection: whether its default resources were removed, still in use, or failed. */
  connections: ConnectionCleanup[];
  cleanedConnections: string[];
}
