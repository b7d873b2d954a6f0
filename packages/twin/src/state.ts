/**
 * The twin's snapshot file, `<stateDir>/state.json`: written debounced and atomically
 * (temp file + rename), read back on start. A crash loses at most the last debounce window.
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EcsSnapshot } from './alibaba/engine.js';
import type { AzureSnapshot } from './azure/engine.js';
import type { DockerSnapshot } from './docker/model.js';
import type { Ec2Snapshot } from './ec2/engine.js';
import type { GceSnapshot } from './gce/engine.js';
import type { ClouditSnapshot } from './cloudit/engine.js';
import type { OpenStackSnapshot } from './openstack/engine.js';

export const STATE_VERSION = 1;

export interface TwinSnapshot {
  version: number;
  savedAt: string;
  /** Loopback addresses handed out so far (never reused). */
  ipCounter: number;
  ec2: Ec2Snapshot;
  /** Absent in files from before the twin spoke GCE. */
  gce?: GceSnapshot;
  /** Absent in files from before the twin spoke Azure ARM. */
  azure?: AzureSnapshot;
  /** Absent in files from before the twin spoke ECS. */
  alibaba?: EcsSnapshot;
  /** Absent in files from before the twin spoke OpenStack. */
  openstack?: OpenStackSnapshot;
  /** Absent in files from before the twin spoke the Docker Engine API. */
  docker?: DockerSnapshot;
  /** Absent in files from before the twin spoke Cloudit. */
  cloudit?: ClouditSnapshot;
}

export function stateFile(stateDir: string): string {
  return join(stateDir, 'state.json');
}

/** The saved snapshot, or undefined if there is none. A corrupt or foreign file is an error. */
export function loadSnapshot(stateDir: string): TwinSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(stateDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<TwinSnapshot>;
  if (parsed.version !== STATE_VERSION || typeof parsed.ipCounter !== 'number' || !parsed.ec2) {
    throw new Error(`${stateFile(stateDir)}: not a Cloud-Twin state file of version ${STATE_VERSION}`);
  }
  return parsed as TwinSnapshot;
}

/** Writes `data` to `file` atomically: readers see the old or the new content, never half. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, file);
}

export class Snapshotter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly stateDir: string,
    private readonly take: () => TwinSnapshot,
    private readonly debounceMs = 200,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Something changed: save within debounceMs. */
  markDirty(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(this.onError);
    }, this.debounceMs);
  }

  /** Saves now if anything changed; resolves when the file is on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const data = JSON.stringify(this.take());
    this.writing = writeFileAtomic(stateFile(this.stateDir), data).finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }
}
