/**
 * A bearer token that renews itself (Keystone's, Cloudit IAM's): issued on first use, issued again
 * a while before it expires (`renewBeforeMs`, at most half its life) or when a caller forces it
 * (a call answered 401), one issue in flight at a time however many calls wait for it.
 */
export interface IssuedToken {
  issuedAt: number;
  expiresAt: number;
}

export class RenewingToken<T extends IssuedToken> {
  private value: T | undefined;
  private pending: Promise<T> | undefined;

  constructor(
    private readonly issue: () => Promise<T>,
    private readonly renewBeforeMs = 300_000,
  ) {}

  /** A token good for a while yet; a fresh one when `force`. */
  get(force = false): Promise<T> {
    const t = this.value;
    const margin = t ? Math.min(this.renewBeforeMs, (t.expiresAt - t.issuedAt) / 2) : 0;
    if (t && !force && t.expiresAt - Date.now() > margin) return Promise.resolve(t);
    this.pending ??= this.issue()
      .then((fresh) => (this.value = fresh))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The current token, if one was issued (for scrubbing it out of messages). */
  peek(): T | undefined {
    return this.value;
  }
}
