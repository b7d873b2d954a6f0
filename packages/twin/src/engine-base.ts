/**
 * What every cloud's engine has: the twin's clock, the notice that state changed (a snapshot
 * follows), and the creation counter that orders listings and is saved with the snapshot.
 */
export abstract class EngineBase {
  protected seq = 0;

  constructor(private readonly hooks: { now: () => number; changed: () => void }) {}

  now(): number {
    return this.hooks.now();
  }

  changed(): void {
    this.hooks.changed();
  }

  nextSeq(): number {
    return ++this.seq;
  }
}
