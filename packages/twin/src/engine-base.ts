/**
 * What every cloud's engine has: the twin's clock, the notice that state changed (a snapshot
 * follows), and the creation counter that orders listings and is saved with the snapshot.
 */
/** What the twin hands every engine: how its VMs run, its clock, and where to say state changed. */
export interface EngineHooks<Lifecycle> {
  lifecycle: Lifecycle;
  changed: () => void;
  now: () => number;
}

export abstract class EngineBase<Lifecycle> {
  protected seq = 0;

  constructor(private readonly hooks: EngineHooks<Lifecycle>) {}

  /** How the cloud's VMs run (their backing processes), as the twin wires it. */
  get lifecycle(): Lifecycle {
    return this.hooks.lifecycle;
  }

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
