/** A Cloud-Twin of a test file's own: its state directory, the requests it saw, one call to tear both down. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type RequestLogEntry, type TwinOptions } from '@cloud-barista/twin';

export type Twin = Awaited<ReturnType<typeof startTwin>>;

export interface TwinBed {
  twin: Twin;
  stateDir: string;
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

/** Starts a twin on a free API port, silent, logging every request into `requests`. */
export async function startTwinBed(prefix: string, opts: Partial<TwinOptions> & { sshPort: number }): Promise<TwinBed> {
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  const requests: RequestLogEntry[] = [];
  const twin = await startTwin({ stateDir, port: 0, log: () => {}, onRequest: (e) => requests.push(e), ...opts });
  return {
    twin,
    stateDir,
    requests,
    close: async () => {
      await twin.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
